"""azure-identity as a peer of pyindex's Azure support (run by MintedEndToEndTests).

argv: secret | certificate | workload | managed
Reads the same variables pyindex reads (AZURE_AUTHORITY_HOST, AZURE_TENANT_ID, AZURE_CLIENT_ID,
AZURE_CLIENT_SECRET, AZURE_CLIENT_CERTIFICATE_PATH, AZURE_FEDERATED_TOKEN_FILE,
IDENTITY_ENDPOINT, IDENTITY_HEADER) and prints the token azure-identity obtained for Azure
DevOps from the fixture's endpoints. MSAL takes an https authority only: the fixture serves TLS
and REQUESTS_CA_BUNDLE names its CA. Instance discovery (a request to Microsoft's cloud) is off.
"""
import os
import sys

from azure.identity import (CertificateCredential, ClientSecretCredential,
                            ManagedIdentityCredential, WorkloadIdentityCredential)

SCOPE = "499b84ac-1321-427f-aa17-267ca6975798/.default"

if __name__ == "__main__":
    mode = sys.argv[1]
    env = os.environ
    common = dict(authority=env.get("AZURE_AUTHORITY_HOST"), disable_instance_discovery=True)
    if mode == "secret":
        credential = ClientSecretCredential(env["AZURE_TENANT_ID"], env["AZURE_CLIENT_ID"], env["AZURE_CLIENT_SECRET"], **common)
    elif mode == "certificate":
        credential = CertificateCredential(env["AZURE_TENANT_ID"], env["AZURE_CLIENT_ID"], env["AZURE_CLIENT_CERTIFICATE_PATH"], **common)
    elif mode == "workload":
        credential = WorkloadIdentityCredential(
            tenant_id=env["AZURE_TENANT_ID"], client_id=env["AZURE_CLIENT_ID"], token_file_path=env["AZURE_FEDERATED_TOKEN_FILE"], **common)
    else:
        credential = ManagedIdentityCredential()
    print(credential.get_token(SCOPE).token)
