"""capture_letter: the blob trigger on `scanned-post/{name}` (Event Grid source in Azure)."""
import azure.functions as func

from bootstrap import get_services
from errors import PermanentError
from handlers.capture_letter import capture_letter as capture
from handlers.event_ids import hashed_source_id

bp = func.Blueprint()
CONTAINER_PREFIX = "scanned-post/"


@bp.function_name("capture_letter")
@bp.blob_trigger(arg_name="scan", path="scanned-post/{name}", connection="ScanStorage",
                 source=func.BlobSource.EVENT_GRID)
def capture_letter(scan: func.InputStream) -> None:
    """Transient errors raise (Event Grid or the local host retries); an unreadable scan is logged in
    the failure log under its hashed name and stays in storage for triage: nothing is lost."""
    services = get_services()
    name = (scan.name or "").removeprefix(CONTAINER_PREFIX)
    try:
        capture(name, scan.read(), services.letter_capture())
    except PermanentError as exc:
        services.record_failure(hashed_source_id(name), "scanned-post", exc.reason)
