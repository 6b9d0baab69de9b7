"""The public verify page: anyone holding a scope PDF can check it here, without logging in."""

from __future__ import annotations

from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from documents.forms import UPLOAD_LIMIT_BYTES, VerifyForm
from documents.verification import EMPTY, NOT_A_PDF, verify_pdf

# A multipart body carries headers and the CSRF field besides the file; anything far beyond the limit is refused
# before it is read at all.
_BODY_ALLOWANCE = 64 * 1024


class UploadLimitHandler(FileUploadHandler):
    """Stops reading an uploaded file once it passes the limit, so an oversized upload never fills memory or disk."""

    def __init__(self, request: HttpRequest | None = None, *, limit: int = UPLOAD_LIMIT_BYTES) -> None:
        super().__init__(request)
        self.limit = limit
        self.received = 0

    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > self.limit:
            self.request.upload_too_large = True
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler builds the file


@csrf_exempt  # CSRF is still checked, by _verify_page, once the upload limit is installed
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """GET: the upload form. POST: the verdict on the uploaded PDF."""
    if request.method == "POST":
        if _content_length(request) > UPLOAD_LIMIT_BYTES + _BODY_ALLOWANCE:
            form = VerifyForm(too_large=True, data={}, files={})
            form.is_valid()
            return render(request, "reports/verify.html", {"form": form}, status=413)
        # Upload handlers must be set before anything reads request.POST, which the CSRF check does.
        request.upload_handlers.insert(0, UploadLimitHandler(request))
    return _verify_page(request)


def _content_length(request: HttpRequest) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


@csrf_protect
def _verify_page(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "reports/verify.html", {"form": VerifyForm()})
    form = VerifyForm(request.POST, request.FILES, too_large=getattr(request, "upload_too_large", False))
    if not form.is_valid():
        status = 413 if form.too_large else 400
        return render(request, "reports/verify.html", {"form": form}, status=status)
    upload = form.cleaned_data["file"]
    result = verify_pdf(upload.read())
    if result.outcome in (NOT_A_PDF, EMPTY):
        form.add_error("file", result.headline)
        return render(request, "reports/verify.html", {"form": form}, status=400)
    return render(
        request,
        "reports/verify.html",
        {"form": VerifyForm(), "result": result, "file_name": upload.name[:200]},
    )
