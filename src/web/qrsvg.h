/* The QR code of the TOTP enrolment page (qrsvg.c, libqrencode). */
#ifndef QCRA_WEB_QRSVG_H
#define QCRA_WEB_QRSVG_H

#include "web/app.h"

/* An inline SVG QR code of text, in r's arena, for {{&qr}}. */
char *qr_svg(struct req *r, const char *text);

#endif
