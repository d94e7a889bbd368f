#!/usr/bin/env bash
# tls.sh VAXSYNC - `vaxsync serve --tls-cert/--tls-key` on 127.0.0.1: a
# self-signed certificate made here (openssl), a key readable by others
# refused, a key that is not the certificate's refused, then HTTPS answers
# with HSTS, a Secure session cookie, and plain HTTP on the same port getting
# no answer; SIGHUP takes a renewed certificate without a restart (new
# handshakes see it) and keeps the pair in use when the new files are bad.
# Needs openssl and node.
set -euo pipefail
vaxsync=$1
: "${VAXSYNC_REFDATA:?VAXSYNC_REFDATA must name the reference data}"
fail() { echo "serve_tls: FAIL: $*" >&2; exit 1; }
command -v openssl >/dev/null || fail "openssl is missing (scripts/packages.txt)"
command -v node >/dev/null || fail "node is missing (scripts/packages.txt)"
work=$(mktemp -d /tmp/vs_tls_XXXXXX)
pid=
cleanup() { if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi; rm -rf "$work"; }
trap cleanup EXIT
cd "$work"
echo "password-of-test" | "$vaxsync" user add boss --role ministry --db s.db
openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem -days 2 -subj /CN=127.0.0.1 \
  -addext subjectAltName=IP:127.0.0.1 2>/dev/null
# a key others may read, and a certificate without its key, are refused
chmod 644 key.pem
if "$vaxsync" serve --db s.db --listen 127.0.0.1:0 --tls-cert cert.pem --tls-key key.pem > out.txt 2>&1; then
  fail "a key readable by others was taken"
fi
grep -q "chmod 600" out.txt || fail "no word on the key's mode: $(cat out.txt)"
if "$vaxsync" serve --db s.db --listen 127.0.0.1:0 --tls-cert cert.pem > out.txt 2>&1; then
  fail "a certificate without a key was taken"
fi
chmod 600 key.pem
# a key that is not the certificate's is refused, named
openssl req -x509 -newkey rsa:2048 -nodes -keyout key2.pem -out cert2.pem -days 2 -subj /CN=127.0.0.1 \
  -addext subjectAltName=IP:127.0.0.1 2>/dev/null
chmod 600 key2.pem
if "$vaxsync" serve --db s.db --listen 127.0.0.1:0 --tls-cert cert.pem --tls-key key2.pem > out.txt 2>&1; then
  fail "a key of another certificate was taken"
fi
grep -q "not the key of the certificate" out.txt || fail "no word on the mismatched key: $(cat out.txt)"
cp cert.pem live-cert.pem; cp key.pem live-key.pem
"$vaxsync" serve --lang en --db s.db --listen 127.0.0.1:0 --tls-cert live-cert.pem --tls-key live-key.pem > serve.out 2> serve.err &
pid=$!
for _ in $(seq 100); do grep -q listening serve.out 2>/dev/null && break; sleep 0.1; done
line=$(head -1 serve.out)
case "$line" in "listening on https://127.0.0.1:"*) ;; *) fail "no https address: $line $(cat serve.err)";; esac
port=${line##*:}
node - "$port" <<'JS'
const https = require('https'), net = require('net'), fs = require('fs');
const port = +process.argv[2], ca = fs.readFileSync('cert.pem');
function req(method, path, body) {
  return new Promise((ok, no) => {
    const r = https.request({host: '127.0.0.1', port, method, path, ca,
      headers: body ? {'Content-Type': 'application/json'} : {}}, res => {
      let d = ''; res.on('data', c => d += c); res.on('end', () => ok({status: res.statusCode, headers: res.headers, body: d}));
    });
    r.on('error', no); if (body) r.write(body); r.end();
  });
}
function fail(m) { console.error('serve_tls: FAIL: ' + m); process.exit(1); }
(async () => {
  const h = await req('GET', '/api/v1/healthz');
  if (h.status !== 200) fail('healthz ' + h.status);
  if (!/max-age=\d+/.test(h.headers['strict-transport-security'] || '')) fail('no HSTS');
  const s = await req('POST', '/api/v1/session', JSON.stringify({name: 'boss', password: 'password-of-test'}));
  if (s.status !== 201) fail('login ' + s.status);
  const ck = (s.headers['set-cookie'] || []).join(';');
  if (!/;\s*Secure/.test(ck) || !/HttpOnly/.test(ck)) fail('session cookie not Secure: ' + ck);
  // plain HTTP to the HTTPS port gets no HTTP answer
  const plain = await new Promise(ok => {
    const c = net.connect(port, '127.0.0.1', () => c.write('GET /api/v1/healthz HTTP/1.1\r\nHost: x\r\n\r\n'));
    let d = ''; c.on('data', x => d += x); c.on('close', () => ok(d)); c.on('error', () => ok(d));
    setTimeout(() => { c.destroy(); ok(d); }, 3000);
  });
  if (/^HTTP\/1\.[01] 200/.test(plain)) fail('plain HTTP answered');
  // a client that does not trust the certificate is refused by its own TLS check
  const bad = await new Promise(ok => {
    const r = https.get({host: '127.0.0.1', port, path: '/api/v1/healthz'}, () => ok(false));
    r.on('error', () => ok(true));
  });
  if (!bad) fail('an untrusted certificate was accepted');
  console.log('serve_tls: ok (HTTPS, HSTS, Secure cookie, no plain HTTP)');
})().catch(e => fail(String(e)));
JS
# the certificate a new handshake gets, as its SHA-256 fingerprint
served() { openssl s_client -connect "127.0.0.1:$port" -servername 127.0.0.1 < /dev/null 2>/dev/null \
  | openssl x509 -noout -fingerprint -sha256; }
fp() { openssl x509 -in "$1" -noout -fingerprint -sha256; }
[ "$(served)" = "$(fp cert.pem)" ] || fail "the first certificate is not the one served"
# renewed: the new pair is written, then SIGHUP; no restart
cp cert2.pem live-cert.pem; cp key2.pem live-key.pem
kill -HUP "$pid"
for _ in $(seq 50); do grep -q "read again" serve.err && break; sleep 0.1; done
grep -q "read again" serve.err || fail "no word of the reload: $(cat serve.err)"
[ "$(served)" = "$(fp cert2.pem)" ] || fail "the renewed certificate is not served after SIGHUP"
# a bad renewal (a certificate without its key) keeps the pair in use, and says why
cp cert.pem live-cert.pem
kill -HUP "$pid"
for _ in $(seq 50); do grep -q "not the key of the certificate" serve.err && break; sleep 0.1; done
grep -q "not the key of the certificate" serve.err || fail "no word of the refused reload: $(cat serve.err)"
[ "$(served)" = "$(fp cert2.pem)" ] || fail "a refused reload changed the certificate served"
kill -0 "$pid" 2>/dev/null || fail "the service stopped on a bad reload"
echo "serve_tls: ok (SIGHUP reload: renewed certificate served, a bad one refused)"
kill "$pid"
wait "$pid" || fail "the service did not stop cleanly: $(cat serve.err)"
pid=
