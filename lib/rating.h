/*
 * rating.h: finding a satisfaction score (1-5) in a customer's answer to
 * a survey. Looked for in the subject and in the first five lines of the
 * body that are not quoted (">"), stopping at an attribution line ("On
 * ... wrote:", "Am ... schrieb", "-----Original Message-----"):
 *
 *   Rating: 4   Bewertung: 4   Score: 4   Note: 4   (":" or "=" optional)
 *   4/5   4 / 5   4 of 5   4 out of 5   4 von 5
 *   ★★★★ (U+2605, optionally followed by ☆ U+2606)
 *   a body line that is only a digit 1-5 (and punctuation)
 */
#ifndef RT_RATING_H
#define RT_RATING_H

struct change;
struct desk;
struct mail;

/* Returns the score 1-5, or 0 when none is found. */
int rating_detect(const char *subject, const char *text);

/*
 * The ingest hook: when the ticket of change c has a survey mail-out in
 * its log and m carries a score, adds a "rating {score}" event to c.
 * Auto-submitted mail never rates. Returns the score or 0.
 */
int rating_hook(struct desk *d, struct change *c, struct mail *m);

#endif
