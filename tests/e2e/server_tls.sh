# serve over TLS: given --cert/--key it speaks HTTPS only, the session cookie is Secure, and
# without a session the API answers 401.
command -v openssl >/dev/null || { echo "openssl not installed: skipped"; exit 77; }
command -v curl >/dev/null || { echo "curl not installed: skipped"; exit 77; }
"$TOURNIQUET" init case --name tls >/dev/null
TOURNIQUET_PASSWORD="tls-password-1" "$TOURNIQUET" --case case user add lead --role lead >/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem -days 2 \
  -subj "/CN=localhost" -addext "subjectAltName=IP:127.0.0.1" 2>/dev/null
"$TOURNIQUET" --case case serve --port 0 --cert cert.pem --key key.pem >serve.out 2>serve.err &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null' EXIT
url=
for _ in $(seq 600); do
  url=$(grep -o 'https://[0-9.]*:[0-9]*' serve.out || true)
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { echo "serve did not start"; cat serve.err; exit 1; }
code=$(curl -s -o /dev/null -w '%{http_code}' --cacert cert.pem "$url/api/case")
[ "$code" = 401 ] || { echo "expected 401 without a session, got $code"; exit 1; }
headers=$(curl -s -D - -o /dev/null --cacert cert.pem -H 'Content-Type: application/json' \
  -d '{"name":"lead","password":"tls-password-1"}' "$url/api/login")
grep -qi '^set-cookie:.*HttpOnly; SameSite=Strict; Secure' <<<"$headers" ||
  { echo "cookie not Secure/HttpOnly/SameSite=Strict: $headers"; exit 1; }
# Plain HTTP on the TLS port gets no answer.
plain=${url/https:/http:}
if curl -s -m 3 -o /dev/null "$plain/api/case"; then echo "plain HTTP answered"; exit 1; fi
echo "TLS ok"
