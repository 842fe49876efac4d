"""botocore as a peer of pyindex's AWS support (run by MintedEndToEndTests).

verify: argv FILE holding {"method", "url", "headers": [[name, value]], "body_b64", "key_id", "secret",
        "token", "region", "service"}: a request pyindex sent, as the fixture
        recorded it. botocore's SigV4Auth signs the same request (the headers pyindex signed,
        at pyindex's X-Amz-Date) and the script prints "match" when botocore's signature is
        the one pyindex sent, else what differs.
client: argv ENDPOINT KEY_ID SECRET ROLE_ARN TOKEN_FILE: botocore's own clients ask the
        fixture for a CodeArtifact token (signed with the key) and for STS web-identity
        credentials, then a token signed with those; prints one JSON line of what came back.
"""
import base64
import json
import sys

import botocore.session
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def verify(path):
    with open(path) as f:
        r = json.load(f)
    headers = dict((n, v) for n, v in r["headers"])
    authorization = headers.pop("Authorization")
    fields = dict(p.strip().split("=", 1) for p in authorization.split(" ", 1)[1].split(","))
    signed = fields["SignedHeaders"].split(";")
    sent = {n: v for n, v in headers.items() if n.lower() in signed}
    request = AWSRequest(method=r["method"], url=r["url"], headers=sent, data=base64.b64decode(r["body_b64"]))
    auth = SigV4Auth(Credentials(r["key_id"], r["secret"], r.get("token")), r["service"], r["region"])
    request.context["timestamp"] = headers["X-Amz-Date"]
    canonical = auth.canonical_request(request)
    signature = auth.signature(auth.string_to_sign(request, canonical), request)
    if signature == fields["Signature"] and auth.signed_headers(auth.headers_to_sign(request)) == fields["SignedHeaders"]:
        print("match")
    else:
        print("differs: botocore signed %s over\n%s" % (auth.signed_headers(auth.headers_to_sign(request)), canonical))


def client(endpoint, key_id, secret, role_arn, token_file):
    session = botocore.session.get_session()
    config = botocore.config.Config(retries={"max_attempts": 1})
    ca = session.create_client(
        "codeartifact", region_name="us-east-1", endpoint_url=endpoint,
        aws_access_key_id=key_id, aws_secret_access_key=secret, config=config)
    token = ca.get_authorization_token(domain="demo", domainOwner="111122223333")
    sts = session.create_client(
        "sts", region_name="us-east-1", endpoint_url=endpoint, config=config,
        aws_access_key_id="unused", aws_secret_access_key="unused")
    with open(token_file) as f:
        assumed = sts.assume_role_with_web_identity(
            RoleArn=role_arn, RoleSessionName="botocore-peer", WebIdentityToken=f.read().strip())
    c = assumed["Credentials"]
    ca2 = session.create_client(
        "codeartifact", region_name="us-east-1", endpoint_url=endpoint, config=config,
        aws_access_key_id=c["AccessKeyId"], aws_secret_access_key=c["SecretAccessKey"], aws_session_token=c["SessionToken"])
    token2 = ca2.get_authorization_token(domain="demo", domainOwner="111122223333")
    print(json.dumps({
        "token": token["authorizationToken"], "expiration": token["expiration"].isoformat(),
        "session_key": c["AccessKeyId"], "token_via_session": token2["authorizationToken"],
    }))


if __name__ == "__main__":
    import botocore.config
    if sys.argv[1] == "verify":
        verify(sys.argv[2])
    else:
        client(*sys.argv[2:])
