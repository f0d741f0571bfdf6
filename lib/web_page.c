/* web_page.c: the one layout and the texts of rt-web's pages, English and German */
#include <stdlib.h>
#include <string.h>

#include "desk.h"
#include "util.h"
#include "web.h"

static const struct { const char *key, *en, *de; } texts[] = {
	{ "notfound.title", "Not found", "Nicht gefunden" },
	{ "notfound.text", "There is no page at this address.",
	  "Unter dieser Adresse gibt es keine Seite." },
	{ "form.title", "Contact us", "Kontakt" },
	{ "form.intro", "Write to us; we answer by mail.",
	  "Schreiben Sie uns; wir antworten per E-Mail." },
	{ "form.name", "Your name", "Ihr Name" },
	{ "form.address", "Your e-mail address", "Ihre E-Mail-Adresse" },
	{ "form.subject", "Subject", "Betreff" },
	{ "form.text", "Your message", "Ihre Nachricht" },
	{ "form.trap", "Leave this field empty", "Dieses Feld bitte leer lassen" },
	{ "form.send", "Send", "Senden" },
	{ "form.sent.title", "Thank you", "Vielen Dank" },
	{ "form.sent.text", "We have received your message as request", "Wir haben Ihre Nachricht erhalten als Anfrage" },
	{ "form.sent.status", "See the state of your requests", "Stand Ihrer Anfragen ansehen" },
	{ "form.error.title", "Please check the form", "Bitte prüfen Sie das Formular" },
	{ "form.error.expired", "The form has expired; please send it again.",
	  "Das Formular ist abgelaufen; bitte senden Sie es erneut." },
	{ "form.error.address", "Please give a valid e-mail address.",
	  "Bitte geben Sie eine gültige E-Mail-Adresse an." },
	{ "form.error.subject", "Please give a subject of one line.",
	  "Bitte geben Sie einen einzeiligen Betreff an." },
	{ "form.error.text", "Please write a message.", "Bitte schreiben Sie eine Nachricht." },
	/* form_error fills in the field's label and its limit. */
	{ "form.error.long", "The field “%s” is too long: at most %zu characters.",
	  "Das Feld „%s“ ist zu lang: höchstens %zu Zeichen." },
	{ "form.error.size", "The form is too long altogether; please shorten the message.",
	  "Das Formular ist insgesamt zu lang; bitte kürzen Sie die Nachricht." },
	{ "form.error.cut", "The form arrived incomplete, cut off before its end; please send it again.",
	  "Das Formular kam unvollständig an, vor seinem Ende abgeschnitten; bitte senden Sie es erneut." },
	{ "form.error.broken", "The form arrived garbled: its multipart/form-data framing is broken; "
	  "please send it again.", "Das Formular kam verstümmelt an: sein multipart/form-data-Rahmen "
	  "ist kaputt; bitte senden Sie es erneut." },
	{ "form.error.bytes", "A field contains a NUL byte or text that is not valid UTF-8.",
	  "Ein Feld enthält ein NUL-Byte oder Text, der kein gültiges UTF-8 ist." },
	{ "form.attachment", "A file (optional)", "Eine Datei (freiwillig)" },
	/* form_page fills in the file's name: a browser never fills a file input in again. */
	{ "form.file.again", "The file “%s” was not kept: please choose it again before you send the form.",
	  "Die Datei „%s“ wurde nicht übernommen: bitte wählen Sie sie erneut, bevor Sie das Formular senden." },
	{ "form.error.files", "Please attach only one file.", "Bitte hängen Sie nur eine Datei an." },
	{ "form.error.big", "The file is too large.", "Die Datei ist zu groß." },
	{ "form.error.name", "Please give your name in one line.",
	  "Bitte geben Sie Ihren Namen in einer Zeile an." },
	{ "form.busy.title", "Too many messages", "Zu viele Nachrichten" },
	{ "form.busy.text", "Please wait a while before you send another message.",
	  "Bitte warten Sie etwas, bevor Sie eine weitere Nachricht senden." },
	{ "retry.title", "Please try again later", "Bitte versuchen Sie es später erneut" },
	{ "retry.text", "Your message could not be stored just now. Nothing was kept; please send it again in a minute.",
	  "Ihre Nachricht konnte gerade nicht gespeichert werden. Es wurde nichts übernommen; bitte senden Sie sie in einer Minute erneut." },
	{ "status.title", "Your requests", "Ihre Anfragen" },
	{ "status.none", "There is nothing to show.", "Es gibt nichts anzuzeigen." },
	{ "status.state", "State", "Stand" },
	{ "status.updated", "Last update", "Letzte Änderung" },
	{ "status.you", "You", "Sie" },
	{ "status.us", "Support", "Support" },
	{ "state.new", "received", "eingegangen" },
	{ "state.open", "in progress", "in Bearbeitung" },
	{ "state.waiting", "waiting for your answer", "wartet auf Ihre Antwort" },
	{ "state.resolved", "resolved", "gelöst" },
	{ "state.closed", "closed", "geschlossen" },
	{ "state.other", "in progress", "in Bearbeitung" },
};

const char *
web_text(const char *lang, const char *key)
{
	for (size_t i = 0; i < LEN(texts); i++)
		if (strcmp(texts[i].key, key) == 0)
			return strcmp(lang, "de") == 0 ? texts[i].de : texts[i].en;
	return key;
}

const char *
web_lang(struct desk *d)
{
	const char *al = web_header("HTTP_ACCEPT_LANGUAGE");

	if (al) {
		size_t n = strspn(al, " ");
		if (strncasecmp(al + n, "de", 2) == 0)
			return "de";
		if (strncasecmp(al + n, "en", 2) == 0)
			return "en";
	}
	return str_starts(desk_cfg_str(d, "desk.language", "en"), "de") ? "de" : "en";
}

/* No script, no outside resource, no framing; the one style sheet is inline. */
static const char csp[] = "default-src 'none'; style-src 'unsafe-inline'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

static const char style[] =
    "body{font-family:sans-serif;max-width:40em;margin:2em auto;padding:0 1em;"
    "line-height:1.5;color:#222}label{display:block;margin-top:1em;font-weight:bold}"
    "input,textarea{width:100%;box-sizing:border-box;font:inherit;padding:.3em}"
    "textarea{height:12em}button{margin-top:1em;font:inherit;padding:.4em 1.5em}"
    ".trap{position:absolute;left:-10000px}.msg{border-left:3px solid #999;"
    "padding-left:1em;white-space:pre-wrap}.error{color:#a00}";

void
web_page_begin(struct web_resp *w, int status, const char *lang, const char *title)
{
	w->status = status;
	w->type = "text/html; charset=utf-8";
	web_add_header(w, "Content-Security-Policy", csp);
	web_add_header(w, "Cache-Control", "no-store");
	web_add_header(w, "Referrer-Policy", "no-referrer");
	web_add_header(w, "X-Frame-Options", "DENY");
	sbuf_reset(&w->body);
	sbuf_addf(&w->body, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	    "<title>", lang);
	html_escape(&w->body, title);
	sbuf_addf(&w->body, "</title>\n<style>%s</style>\n</head>\n<body>\n<main>\n<h1>", style);
	html_escape(&w->body, title);
	sbuf_adds(&w->body, "</h1>\n");
}

void
web_page_end(struct web_resp *w)
{
	sbuf_adds(&w->body, "</main>\n</body>\n</html>\n");
}

void
web_page_message(struct web_resp *w, int status, const char *lang, const char *title,
    const char *text)
{
	web_page_begin(w, status, lang, title);
	sbuf_adds(&w->body, "<p>");
	html_escape(&w->body, text);
	sbuf_adds(&w->body, "</p>\n");
	web_page_end(w);
}
