/*
 * QR codes as inline SVG (no image files, no script): one path of
 * unit squares, with a 4-module quiet zone.
 */
#include <qrencode.h>

#include "web/app.h"
#include "web/qrsvg.h"

char *qr_svg(struct req *r, const char *text)
{
	QRcode *q = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	struct buf b = BUF_INIT;
	char *out;
	int x, y, n;

	if (q == NULL)
		return arena_strdup(&r->arena, "");
	n = q->width + 8;
	buf_printf(&b,
		   "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" width=\"%d\" "
		   "height=\"%d\" role=\"img\" aria-label=\"QR\" shape-rendering=\"crispEdges\">"
		   "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/><path fill=\"#000\" d=\"",
		   n, n, n * 6, n * 6, n, n);
	for (y = 0; y < q->width; y++)
		for (x = 0; x < q->width; x++)
			if (q->data[y * q->width + x] & 1)
				buf_printf(&b, "M%d %dh1v1h-1z", x + 4, y + 4);
	buf_puts(&b, "\"/></svg>");
	QRcode_free(q);
	out = arena_strndup(&r->arena, b.data, b.len);
	buf_free(&b);
	return out;
}
