mkcert ca "Example Root CA" ca-a self 20250101000000Z 20350101000000Z ca
mkcert tls "kafka.example.com" leaf ca 20260601000000Z 20270601000000Z leaf
key leaf tls
printf "apiVersion: v1\nkind: Secret\nmetadata:\n  name: es-tls\ntype: Opaque\ndata:\n  key: %s\n  cert: %s\n" "$(b64 tls.key)" "$(b64 tls.pem)" > secret.yaml
