#!/usr/bin/env python3
"""bench/profile's client: N requests of one scenario on one keep-alive
connection.  s2: GET /orders; s3: GET /orders/ID (IDS in turn); s6: POST
the order form then POST its confirm (N counts POSTs).  Logs in first
(demo00001 for s2/s3, demo00002 for s6); the login is not part of N when
the caller zeroes the counters after a warm-up run."""
import http.client, re, sqlite3, sys, urllib.parse

base, scen, n, ids, db = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
host = urllib.parse.urlparse(base).netloc
PASSWORD = "demo-lozinka-2026"
import os
sessions = {"demo00001": os.environ.get("SESSION1"), "demo00002": os.environ.get("SESSION2")}


def conn():
    return http.client.HTTPConnection(host)


def req(c, method, path, cookie, body=None):
    h = {"Cookie": cookie}
    if body is not None:
        h["Content-Type"] = "application/x-www-form-urlencoded"
    c.request(method, path, body=body, headers=h)
    r = c.getresponse()
    data = r.read()
    return r.status, r.getheader("Location") or "", data.decode("utf-8", "replace"), r.getheader("Set-Cookie") or ""


def csrf(html):
    m = re.search(r'name="csrf_token" value="([0-9a-f]*)"', html)
    return m.group(1)


def login(c, user):
    st, _, html, sc = req(c, "GET", "/login", "")
    anon = re.search(r"qcra_csrf=([^;]*)", sc).group(1)
    body = urllib.parse.urlencode({"username": user, "password": PASSWORD, "csrf_token": csrf(html)})
    st, loc, _, sc = req(c, "POST", "/login", "qcra_csrf=" + anon, body)
    assert st == 303, st
    return "qcra_session=" + re.search(r"qcra_session=([^;]*)", sc).group(1)


c = conn()
if scen in ("login1", "login2"):
    print(login(c, "demo0000" + scen[-1]))
    sys.exit(0)
user = "demo00002" if scen == "s6" else "demo00001"
cookie = sessions.get(user) or login(c, user)
ids = ids.split(",")
bad = 0
if scen == "s2":
    for i in range(n):
        bad += req(c, "GET", "/orders", cookie)[0] != 200
elif scen == "s3":
    for i in range(n):
        bad += req(c, "GET", "/orders/" + ids[i % len(ids)], cookie)[0] != 200
else:
    st, _, html, _ = req(c, "GET", "/certificates/new/natural", cookie)
    tok = csrf(html)
    d = sqlite3.connect(db)
    f, l, j, e, lic = d.execute(
        "SELECT m.first_name, m.last_name, m.jmbg, m.email, m.license_number FROM members m"
        " JOIN accounts a ON a.member_id = m.id WHERE a.username = ?", (user,)).fetchone()
    form = urllib.parse.urlencode({"first_name": f, "last_name": l, "jmbg": j, "id_type": "id_card",
        "id_number": "012345678", "id_issuer": "PU Beograd", "street": "Kneza Miloša 9",
        "postal_code": "11000", "city": "Beograd", "email": e, "phone": "064 123 4567",
        "license_number": lic, "office": "BG", "validity": "3y", "consent": "1", "csrf_token": tok})
    def orders(c, k):
        bad = 0
        for i in range(k):
            st, loc, _, _ = req(c, "POST", "/certificates/new/natural", cookie, form)
            m = re.match(r".*/orders/(\d+)/review$", loc)
            if st != 303 or not m:
                bad += 1
                continue
            st, loc, _, _ = req(c, "POST", "/orders/%s/confirm" % m.group(1), cookie, "csrf_token=" + tok)
            bad += st != 303
        return bad
    # PROFILE_CONNS connections at once (the commit group then takes
    # several requests per commit, as under the bench's 64 connections).
    conns = int(os.environ.get("PROFILE_CONNS", "1"))
    if conns == 1:
        bad = orders(c, n // 2)
    else:
        import concurrent.futures
        with concurrent.futures.ThreadPoolExecutor(conns) as ex:
            bad = sum(ex.map(lambda k: orders(conn(), k), [n // 2 // conns] * conns))
print("%s: %d requests, %d bad" % (scen, n, bad))
sys.exit(1 if bad else 0)
