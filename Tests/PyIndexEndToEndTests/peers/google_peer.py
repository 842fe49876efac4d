"""google-auth as a peer of pyindex's Google support (run by MintedEndToEndTests).

argv: service-account PATH   a service account key (the JWT-bearer grant; google-auth sends
                             the assertion to the key's token_uri)
      user PATH              user credentials (the refresh-token grant; google-auth's file
                             loader always uses Google's endpoint, so the credentials are made
                             with the file's token_uri)
      federation PATH        a workload identity federation configuration (identity_pool)
      metadata               Compute Engine credentials, from GCE_METADATA_HOST
Prints the access token google-auth obtained from the fixture's endpoints.
"""
import json
import sys

import google.auth.compute_engine
import google.auth.identity_pool
import google.auth.transport.requests
import google.oauth2.credentials
import google.oauth2.service_account

SCOPES = ["https://www.googleapis.com/auth/cloud-platform"]

if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "service-account":
        credentials = google.oauth2.service_account.Credentials.from_service_account_file(sys.argv[2], scopes=SCOPES)
    elif mode == "user":
        with open(sys.argv[2]) as f:
            info = json.load(f)
        credentials = google.oauth2.credentials.Credentials(
            None, refresh_token=info["refresh_token"], client_id=info["client_id"],
            client_secret=info["client_secret"], token_uri=info["token_uri"])
    elif mode == "federation":
        credentials = google.auth.identity_pool.Credentials.from_file(sys.argv[2], scopes=SCOPES)
    else:
        credentials = google.auth.compute_engine.Credentials()
    credentials.refresh(google.auth.transport.requests.Request())
    print(credentials.token)
