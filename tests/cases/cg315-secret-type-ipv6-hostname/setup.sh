mkcert ca "Example Root CA" ca-a self 20250101000000Z 20350101000000Z ca
SAN="DNS:kafka.example.com,IP:fd00::5" mkcert tls "kafka.example.com" leaf ca 20260601000000Z 20270601000000Z leaf
key leaf tls
printf "apiVersion: v1\nkind: Secret\nmetadata:\n  name: es-tls-2\ntype: Opaque\ndata:\n  tls.key: %s\n  tls.crt: %s\n  ca.crt: %s\n" "$(b64 tls.key)" "$(b64 tls.pem)" "$(b64 ca.pem)" > secret.yaml
