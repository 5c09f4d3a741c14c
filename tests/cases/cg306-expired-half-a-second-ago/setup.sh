# notAfter is 2026-11-27T00:00:00Z and --now half a second later: the certificate is valid through
# notAfter inclusive (RFC 5280 §4.1.2.5), so it has expired, though --now's whole second is notAfter.
mkcert ca "Example Root CA" ca-a self 20250101000000Z 20350101000000Z ca
mkcert tls "kafka.example.com" leaf ca 20251127000000Z 20261127000000Z leaf
key leaf tls
