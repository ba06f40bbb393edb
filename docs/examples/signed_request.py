"""Create an access key with a token, then call iam-svc with requests signed by that key.

Needs the huaweicloudsdkcore and huaweicloudsdkiam packages and the variables of
var/local-stack.env in the environment:

    set -a; . var/local-stack.env; set +a
    tests/sdk/run.sh docs/examples/signed_request.py
"""

import json
import os
import urllib.request

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkiam.v3 import (
    CreatePermanentAccessKeyRequest,
    CreatePermanentAccessKeyRequestBody,
    CreateCredentialOption,
    DeletePermanentAccessKeyRequest,
    IamClient,
    ListPermanentAccessKeysRequest,
)
from huaweicloudsdkiam.v3.iam_credentials import IamCredentials

url = os.environ["IAM_URL"]
project_id = os.environ["IAM_ADMIN_PROJECT_ID"]
user_id = os.environ["IAM_ADMIN_USER_ID"]

# A password token, as in the curl quickstart.
login = {"auth": {
    "identity": {"methods": ["password"], "password": {"user": {
        "domain": {"name": os.environ["IAM_ADMIN_DOMAIN"]},
        "name": os.environ["IAM_ADMIN_USER"],
        "password": os.environ["IAM_ADMIN_PASSWORD"]}}},
    "scope": {"project": {"id": project_id}}}}
request = urllib.request.Request(f"{url}/v3/auth/tokens", data=json.dumps(login).encode(),
                                 headers={"Content-Type": "application/json"}, method="POST")
token = urllib.request.urlopen(request).headers["X-Subject-Token"]

# Create a key with the token ...
with_token = IamClient.new_builder().with_credentials(
    IamCredentials().with_x_auth_token(token)).with_endpoints([url]).build()
created = with_token.create_permanent_access_key(CreatePermanentAccessKeyRequest(
    body=CreatePermanentAccessKeyRequestBody(
        credential=CreateCredentialOption(user_id=user_id, description="example"))))
ak, sk = created.credential.access, created.credential.secret
print("created", ak)

# ... then sign requests with it (SDK-HMAC-SHA256, scoped by X-Project-Id).
signed = IamClient.new_builder().with_credentials(
    BasicCredentials(ak, sk, project_id)).with_endpoints([url]).build()
keys = signed.list_permanent_access_keys(ListPermanentAccessKeysRequest(user_id=user_id))
print("keys:", [k.access for k in keys.credentials])
assert ak in [k.access for k in keys.credentials]

signed.delete_permanent_access_key(DeletePermanentAccessKeyRequest(access_key=ak))
print("deleted", ak)
