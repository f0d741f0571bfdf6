/*
 * svg.h: small inline SVG charts for self-contained HTML reports.
 * Everything is appended to a struct sbuf; every text is XML-escaped.
 * A plot maps data coordinates (xmin..xmax, ymin..ymax) onto a pixel
 * rectangle (x, y, w, h) with y growing upwards.
 */
#ifndef RT_SVG_H
#define RT_SVG_H

#include <stddef.h>

#include "util.h"

struct svg_plot {
	double x, y, w, h;		/* plot area in pixels, y at the top */
	double xmin, xmax, ymin, ymax;	/* data range */
};

/* Appends s with &, <, >, " and ' escaped (also for attribute values). */
void xml_escape(struct sbuf *sb, const char *s);

/* <svg> with a viewBox, role="img" and a <title> for screen readers. */
void svg_begin(struct sbuf *sb, int width, int height, const char *title);
void svg_end(struct sbuf *sb);

double svg_px(const struct svg_plot *p, double x);
double svg_py(const struct svg_plot *p, double y);
/* 1, 2 or 5 times a power of ten, at least v (1 for v <= 0). */
double svg_nice_ceil(double v);

/* anchor: "start", "middle" or "end"; cls may be NULL. */
void svg_text(struct sbuf *sb, double x, double y, const char *anchor, const char *cls,
    const char *text);
/*
 * Axes with ticks horizontal grid lines and y labels at ymin + k*(ymax-ymin)/ticks;
 * fmt formats a y value (NULL: "%g").
 */
typedef char *(*svg_fmt_fn)(double v, char *buf, size_t size);
void svg_axes(struct sbuf *sb, const struct svg_plot *p, int ticks, svg_fmt_fn fmt);
/* Labels below the x axis at data x = i for every step-th of n labels. */
void svg_xlabels(struct sbuf *sb, const struct svg_plot *p, const char *const *labels,
    size_t n, size_t step);
/* A line through (i, ys[i]); NAN values break the line. */
void svg_polyline(struct sbuf *sb, const struct svg_plot *p, const double *ys, size_t n,
    const char *cls);
/* Vertical bars, one per value, labelled below and with the value text above. */
void svg_bars(struct sbuf *sb, const struct svg_plot *p, const double *vals,
    const char *const *labels, const char *const *valtexts, size_t n, const char *cls);

/*
 * A legend row from (x, y): a swatch of class cls[i] and the words
 * labels[i] for each of n entries.
 */
void svg_legend(struct sbuf *sb, double x, double y, const char *const *labels,
    const char *const *cls, size_t n);

#endif
