"""A project backend in Python verifying the service's tokens with PyJWT (Debian's python3-jwt).

Usage: pyjwt_verify.py JWKS_URL ISSUER AUDIENCE ALGORITHM, then one token per line on stdin; one JSON line per
token on stdout: {"ok": true, "claims": {...}} or {"ok": false, "error": "..."}. Run by verifiers/pyjwt.ts.
"""

import json
import sys

import jwt


def main() -> None:
    jwks_url, issuer, audience, algorithm = sys.argv[1:5]
    # As in PyJWT's documentation: the client fetches the JWKS, caches it, and refetches for an unknown kid.
    jwks = jwt.PyJWKClient(jwks_url)
    for line in sys.stdin:
        token = line.strip()
        try:
            signing_key = jwks.get_signing_key_from_jwt(token)
            claims = jwt.decode(token, signing_key.key, algorithms=[algorithm], audience=audience, issuer=issuer)
            answer = {"ok": True, "claims": claims}
        except jwt.PyJWTError as error:
            answer = {"ok": False, "error": f"{type(error).__name__}: {error}"}
        print(json.dumps(answer), flush=True)


if __name__ == "__main__":
    main()
