"""What a fault of the document store (file system or S3-compatible) means, for the render job and the download.

The job retries these as transient (the store did not answer; it usually will in a minute). The download view
turns them into a page that says so, instead of a server error: a missing file is a 404 with "request it again",
an unreachable store a 503 with "try again in a minute".
"""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError

# botocore raises these when S3 cannot be reached (EndpointConnectionError, timeouts: BotoCoreError) or answers
# with an error (ClientError: 5xx, throttling, access denied). They are not OSError, so they are listed here.
STORAGE_ERRORS: tuple[type[BaseException], ...] = (OSError, BotoCoreError, ClientError)

STORE_UNAVAILABLE_MESSAGE = "The PDF store is not answering; try again in a minute."
FILE_MISSING_MESSAGE = "The file of this document is missing from the PDF store. Request the PDF again."
RETRY_AFTER_SECONDS = 60


def is_missing_file(exc: BaseException) -> bool:
    """Whether the store answered, and the file is not there (as opposed to the store not answering)."""
    if isinstance(exc, FileNotFoundError):
        return True
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        return status == 404 or error.get("Code") in {"404", "NoSuchKey", "NotFound"}
    return False
