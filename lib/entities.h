/*
 * entities.h: HTML character references (&auml; &#228; &#xE4;) for
 * turning HTML-only mail into text.
 */
#ifndef RT_ENTITIES_H
#define RT_ENTITIES_H

#include <stddef.h>
#include <stdint.h>

/*
 * Decodes the character reference at s, which follows an '&': the named
 * entities of HTML 4 (Latin-1, symbols, Greek, typographic: the set mail
 * clients write) plus &apos;, and numeric ones. The Latin-1 names and
 * amp, lt, gt, quot are also known without the ';' (HTML5's legacy
 * rule). Numeric references in 128-159 are read as Windows-1252, as
 * browsers do, and invalid code points become U+FFFD. Returns the bytes
 * used after the '&' and sets *cp, or returns 0 when s is not a reference.
 */
size_t html_entity(const char *s, uint32_t *cp);

#endif
