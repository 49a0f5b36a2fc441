"""Independent check of `meshguard token sign`: verifies tokens with PyJWT + cryptography.

Input (stdin): a JSON list of {"name", "token", "jwk", "alg", "issuer", "audience"}.
Output: one line per entry, `name OK` or `name FAIL <why>`. Exit 0 even when some fail; the Java
test reads the lines.
"""
import json
import sys

import jwt

for case in json.load(sys.stdin):
    try:
        key = jwt.PyJWK(case["jwk"]).key
        jwt.decode(
            case["token"],
            key=key,
            algorithms=[case["alg"]],
            issuer=case["issuer"],
            audience=case["audience"],
        )
        print(case["name"], "OK")
    except Exception as e:  # any failure is a FAIL line, with its reason
        print(case["name"], "FAIL", type(e).__name__, str(e).replace("\n", " "))
