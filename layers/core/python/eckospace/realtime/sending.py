"""PostToConnection for fan-outs: the @connections API called over pooled HTTP connections, each
request signed with botocore's own SigV4 signer and the sandbox's credentials.

A fan-out sends the same frame to hundreds of connections. Through a botocore client each send
costs about 1 ms of CPU in its request pipeline (parameter validation, serialization, event hooks,
retries, response parsing), which Lambda's fraction of a vCPU turns into seconds for a large
channel; signed by hand over urllib3 (botocore's own HTTP library) it costs about a third of that.
Nothing is retried here: a connection whose send failed gets the event again from the fan-out
queue, on its own (`eckospace.realtime.fanout`).
"""

from __future__ import annotations

import threading
from enum import Enum
from urllib.parse import quote

from eckospace import aws

TIMEOUT_SECONDS = (1.0, 2.0)  # connect, read


class Sent(Enum):
    SENT = "sent"
    GONE = "gone"  # 410: API Gateway no longer has the connection
    FAILED = "failed"  # anything else: worth trying again a little later


class ConnectionsApi:
    """The @connections API of one WebSocket API stage (`https://{api}.execute-api.../{stage}`)."""

    def __init__(self, endpoint: str, *, pool: int) -> None:
        import urllib3
        from botocore.auth import SigV4Auth

        self.endpoint = endpoint.rstrip("/")
        self.http = urllib3.PoolManager(
            maxsize=pool,
            block=True,
            retries=False,
            timeout=urllib3.Timeout(connect=TIMEOUT_SECONDS[0], read=TIMEOUT_SECONDS[1]),
        )
        session = aws.session()
        self._credentials = session.get_credentials()
        self._region = session.get_config_variable("region") or "us-east-1"
        self._signer = SigV4Auth
        self._lock = threading.Lock()

    def _signed_headers(self, url: str, data: bytes) -> dict[str, str]:
        from botocore.awsrequest import AWSRequest

        request = AWSRequest(method="POST", url=url, data=data)
        with self._lock:  # refreshable credentials are read one thread at a time
            credentials = self._credentials.get_frozen_credentials()
        self._signer(credentials, "execute-api", self._region).add_auth(request)
        return dict(request.headers.items())

    def post(self, connection_id: str, data: bytes) -> Sent:
        url = f"{self.endpoint}/@connections/{quote(connection_id, safe='')}"
        try:
            answer = self.http.request("POST", url, body=data, headers=self._signed_headers(url, data))
        except Exception:  # a connection or read error: the send may be retried
            return Sent.FAILED
        if 200 <= answer.status < 300:
            return Sent.SENT
        return Sent.GONE if answer.status == 410 else Sent.FAILED
