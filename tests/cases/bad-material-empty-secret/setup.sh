printf 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: es-tls\ntype: Opaque\n' > secret.yaml
