/* svg.c: inline SVG chart pieces (see svg.h) */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "svg.h"
#include "text.h"

void
xml_escape(struct sbuf *sb, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': sbuf_adds(sb, "&amp;"); break;
		case '<': sbuf_adds(sb, "&lt;"); break;
		case '>': sbuf_adds(sb, "&gt;"); break;
		case '"': sbuf_adds(sb, "&quot;"); break;
		case '\'': sbuf_adds(sb, "&#39;"); break;
		default:
			/* Controls other than tab and newline are not allowed in XML. */
			if ((unsigned char)*s < 0x20 && *s != '\t' && *s != '\n')
				sbuf_addc(sb, ' ');
			else
				sbuf_addc(sb, *s);
		}
	}
}

void
svg_begin(struct sbuf *sb, int width, int height, const char *title)
{
	sbuf_addf(sb, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
	    "viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"", width, height, width, height);
	xml_escape(sb, title);
	sbuf_adds(sb, "\"><title>");
	xml_escape(sb, title);
	sbuf_adds(sb, "</title>\n");
}

void
svg_end(struct sbuf *sb)
{
	sbuf_adds(sb, "</svg>\n");
}

double
svg_px(const struct svg_plot *p, double x)
{
	double span = p->xmax - p->xmin;

	return p->x + (span > 0 ? (x - p->xmin) / span * p->w : p->w / 2);
}

double
svg_py(const struct svg_plot *p, double y)
{
	double span = p->ymax - p->ymin;

	return p->y + p->h - (span > 0 ? (y - p->ymin) / span * p->h : 0);
}

double
svg_nice_ceil(double v)
{
	double e, f;

	if (!(v > 0))
		return 1;
	e = pow(10, floor(log10(v)));
	f = v / e;
	return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * e;
}

void
svg_text(struct sbuf *sb, double x, double y, const char *anchor, const char *cls,
    const char *text)
{
	sbuf_addf(sb, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\"", x, y,
	    anchor ? anchor : "start");
	if (cls)
		sbuf_addf(sb, " class=\"%s\"", cls);
	sbuf_adds(sb, ">");
	xml_escape(sb, text);
	sbuf_adds(sb, "</text>\n");
}

void
svg_axes(struct sbuf *sb, const struct svg_plot *p, int ticks, svg_fmt_fn fmt)
{
	char buf[64];

	if (ticks < 1)
		ticks = 1;
	sbuf_adds(sb, "<g class=\"axes\">\n");
	for (int k = 0; k <= ticks; k++) {
		double v = p->ymin + (p->ymax - p->ymin) * k / ticks, y = svg_py(p, v);
		sbuf_addf(sb, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"grid\"/>\n",
		    p->x, y, p->x + p->w, y);
		if (fmt)
			fmt(v, buf, sizeof(buf));
		else
			snprintf(buf, sizeof(buf), "%g", v);
		svg_text(sb, p->x - 6, y + 4, "end", "tick", buf);
	}
	sbuf_addf(sb, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"axis\"/>\n",
	    p->x, p->y, p->x, p->y + p->h);
	sbuf_addf(sb, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"axis\"/>\n",
	    p->x, p->y + p->h, p->x + p->w, p->y + p->h);
	sbuf_adds(sb, "</g>\n");
}

void
svg_xlabels(struct sbuf *sb, const struct svg_plot *p, const char *const *labels,
    size_t n, size_t step)
{
	if (step == 0)
		step = 1;
	for (size_t i = 0; i < n; i += step)
		svg_text(sb, svg_px(p, (double)i), p->y + p->h + 16, "middle", "tick", labels[i]);
}

void
svg_polyline(struct sbuf *sb, const struct svg_plot *p, const double *ys, size_t n,
    const char *cls)
{
	int open = 0;

	for (size_t i = 0; i <= n; i++) {
		if (i == n || isnan(ys[i])) {
			if (open)
				sbuf_adds(sb, "\"/>\n");
			open = 0;
			continue;
		}
		if (!open) {
			sbuf_addf(sb, "<polyline class=\"%s\" fill=\"none\" points=\"", cls ? cls : "line");
			open = 1;
		} else
			sbuf_addc(sb, ' ');
		sbuf_addf(sb, "%.1f,%.1f", svg_px(p, (double)i), svg_py(p, ys[i]));
	}
	/* A lone point would not show as a line: mark every point. */
	for (size_t i = 0; i < n; i++)
		if (!isnan(ys[i]) && (n == 1 || ((i == 0 || isnan(ys[i - 1])) &&
		    (i + 1 == n || isnan(ys[i + 1])))))
			sbuf_addf(sb, "<circle class=\"%s\" cx=\"%.1f\" cy=\"%.1f\" r=\"3\"/>\n",
			    cls ? cls : "line", svg_px(p, (double)i), svg_py(p, ys[i]));
}

void
svg_bars(struct sbuf *sb, const struct svg_plot *p, const double *vals,
    const char *const *labels, const char *const *valtexts, size_t n, const char *cls)
{
	double slot = n ? p->w / (double)n : p->w, bw = slot * 0.7;

	for (size_t i = 0; i < n; i++) {
		double v = isnan(vals[i]) ? 0 : vals[i];
		double x = p->x + slot * (double)i + (slot - bw) / 2;
		double top = svg_py(p, v), base = svg_py(p, p->ymin);
		sbuf_addf(sb, "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\">"
		    "<title>", cls ? cls : "bar", x, top, bw, base - top);
		xml_escape(sb, labels[i]);
		sbuf_adds(sb, ": ");
		xml_escape(sb, valtexts ? valtexts[i] : "");
		sbuf_adds(sb, "</title></rect>\n");
		if (valtexts)
			svg_text(sb, x + bw / 2, top - 4, "middle", "val", valtexts[i]);
		svg_text(sb, x + bw / 2, p->y + p->h + 16, "middle", "tick", labels[i]);
	}
}

void
svg_legend(struct sbuf *sb, double x, double y, const char *const *labels,
    const char *const *cls, size_t n)
{
	sbuf_adds(sb, "<g class=\"legend\">\n");
	for (size_t i = 0; i < n; i++) {
		sbuf_addf(sb, "<rect class=\"swatch %s\" x=\"%.1f\" y=\"%.1f\" width=\"12\" "
		    "height=\"12\"/>\n", cls[i] ? cls[i] : "bar", x, y - 10);
		svg_text(sb, x + 17, y, "start", "key", labels[i]);
		/* about 6.5 px a character at 12 px, and a gap */
		x += 17 + 6.5 * (double)utf8_chars(labels[i]) + 24;
	}
	sbuf_adds(sb, "</g>\n");
}
