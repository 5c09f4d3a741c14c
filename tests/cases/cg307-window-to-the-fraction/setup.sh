# notAfter is exactly 30 days after --now's whole second, and --now is half a second past it: 30 days
# less half a second are left, inside the 30-day window (CG307), though whole seconds make it 30 days.
mkcert ca "Example Root CA" ca-a self 20250101000000Z 20350101000000Z ca
mkcert tls "kafka.example.com" leaf ca 20251227000000Z 20261227000000Z leaf
key leaf tls
