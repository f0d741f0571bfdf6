/*
 * text.h: UTF-8 and folding, the one owner for both. Every module that
 * decodes, validates, cleans, measures or folds text calls these.
 *
 * UTF-8 follows RFC 3629: overlong forms, surrogates and code points past
 * U+10FFFF are invalid; an invalid byte reads as U+FFFD, one byte long.
 */
#ifndef RT_TEXT_H
#define RT_TEXT_H

#include <stddef.h>
#include <stdint.h>

struct sbuf;

/* Decodes the character at s (len > 0 bytes left); returns its length. */
size_t utf8_decode(const char *s, size_t len, uint32_t *cp);
/* Appends the UTF-8 form of cp; an invalid cp or NUL becomes U+FFFD. */
void utf8_encode(struct sbuf *sb, uint32_t cp);
/* 1 if s[0..len) is valid UTF-8 without NUL. */
int utf8_valid(const char *s, size_t len);
/*
 * Returns a malloc'd copy of s that is valid UTF-8 (invalid bytes become
 * U+FFFD). With oneline, CR, LF, TAB and other controls become spaces
 * and the result is trimmed, so it is safe in a header or a YAML line.
 */
char *utf8_clean(const char *s, size_t len, int oneline);
/* Characters in s (valid UTF-8). */
size_t utf8_chars(const char *s);
/* Bytes of the first max characters of s (valid UTF-8). */
size_t utf8_prefix(const char *s, size_t max);
/* Truncates s (valid UTF-8) to at most max bytes on a character boundary. */
void utf8_truncate(char *s, size_t max);
/* The start of the character holding byte off, and the end of the one before end. */
size_t utf8_char_start(const char *s, size_t off);
size_t utf8_char_end(const char *s, size_t len, size_t end);

/*
 * Text for people at a terminal, the one rule for every command that
 * prints text from outside (mail, events, the desk's files): what could
 * drive the terminal or disguise the text is shown as an escape. C0
 * controls and DEL become \xNN (newline and tab stay with multiline),
 * bytes that are not UTF-8 \xNN, C1 controls \uNNNN, and the bidi
 * embeddings, overrides and isolates (text_is_bidi_control) \uNNNN, so
 * text reads in the order it was written ("invoice\u202Efdp.exe").
 * --raw, --save and JSON never pass through here.
 */
void text_term_add(struct sbuf *sb, const char *s, size_t len, int multiline);
/* The same, malloc'd. */
char *text_term(const char *s, size_t len, int multiline);
/* 1 when text_term would leave s[0..len) as it is. */
int text_term_plain(const char *s, size_t len, int multiline);
/*
 * s itself (NULL: "") when it needs no escape, else its escaped form in
 * scratch (reset first): no copy for the text that is most text.
 */
const char *text_term_str(const char *s, int multiline, struct sbuf *scratch);
/* U+202A..U+202E and U+2066..U+2069: they reorder the text around them. */
int text_is_bidi_control(uint32_t cp);

/*
 * Folding. Case: ASCII, Latin-1 and Cyrillic capitals become small letters,
 * one to one, so text keeps its length and offsets. ASCII: Latin-1 letters
 * lose their accents and German spells out umlauts (ä -> ae, ß -> ss).
 */
uint32_t text_lower(uint32_t cp);
/* Lower-cases s[0..len) in place; with ascii == 0 ASCII letters stay. */
void text_lower_utf8(char *s, size_t len, int ascii);
/* A letter or digit of a word (not punctuation, symbol, emoji or U+FFFD). */
int text_is_wordchar(uint32_t cp);
/*
 * text_lower of each ASCII byte that text_is_wordchar holds, 0 for the
 * others: the tokenizers' table for the ASCII runs that are most text.
 */
extern const char text_ascii_word[128];
/* The ASCII spelling of a small letter ("ae" for ä), or NULL when it has none. */
const char *text_fold_ascii(uint32_t cp, char buf[2]);

#endif
