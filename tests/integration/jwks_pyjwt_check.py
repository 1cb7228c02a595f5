#!/usr/bin/python3
"""Verifies a wxlogin access token with PyJWT, using nothing but the published JWK Set.

Usage: jwks_pyjwt_check.py JWKS_FILE TOKEN [--issuer ISS] [--audience AUD]

JWKS_FILE is the body of GET /.well-known/jwks.json (or "-" for stdin); TOKEN is the access token
(or "@FILE" to read it from a file). The key is chosen by the token's `kid`; the algorithm is
pinned to EdDSA, never taken from the token. Prints the verified claims as JSON and exits 0;
exits 1 when the token does not verify, 2 on bad usage, 3 when PyJWT or cryptography is missing
(a distinct status, so that a missing library can never pass for a refused token).

Run it with /usr/bin/python3 (Debian's python3-jwt and python3-cryptography), not a pyenv python.
"""

import argparse
import json
import sys

try:
    import cryptography  # noqa: F401  (PyJWT's EdDSA support; without it PyJWK refuses every OKP key)
    import jwt
except ImportError as missing:
    print(f"missing Python module {missing.name!r} for {sys.executable} "
          "(Debian: apt-get install python3-jwt python3-cryptography; scripts/test installs them)", file=sys.stderr)
    sys.exit(3)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("jwks_file")
    parser.add_argument("token")
    parser.add_argument("--issuer", default="wxlogin")
    parser.add_argument("--audience", default=None, help="required aud; unset: aud is not checked")
    args = parser.parse_args()

    try:
        if args.jwks_file == "-":
            jwks = json.load(sys.stdin)
        else:
            with open(args.jwks_file, encoding="utf-8") as f:
                jwks = json.load(f)
        token = args.token
        if token.startswith("@"):
            with open(token[1:], encoding="utf-8") as f:
                token = f.read().strip()
    except (OSError, ValueError) as e:
        print(f"usage error: {e}", file=sys.stderr)
        return 2

    try:
        kid = jwt.get_unverified_header(token).get("kid")
        matches = [k for k in jwks.get("keys", []) if k.get("kid") == kid]
        if len(matches) != 1:
            print(f"no single key in the JWKS has kid {kid!r}", file=sys.stderr)
            return 1
        key = jwt.PyJWK(matches[0])
        options = {"verify_aud": args.audience is not None, "require": ["exp", "iat", "iss", "sub"]}
        claims = jwt.decode(token, key.key, algorithms=["EdDSA"], issuer=args.issuer, audience=args.audience,
                            options=options)
    except jwt.PyJWTError as e:
        print(f"refused: {type(e).__name__}: {e}", file=sys.stderr)
        return 1

    print(json.dumps(claims, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
