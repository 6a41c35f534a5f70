"""capture_letter: the blob trigger on `scanned-post/{name}` (Event Grid source in Azure)."""
import azure.functions as func

from bootstrap import get_services
from handlers.capture_letter import capture_scan

bp = func.Blueprint()
CONTAINER_PREFIX = "scanned-post/"


@bp.function_name("capture_letter")
@bp.blob_trigger(arg_name="scan", path="scanned-post/{name}", connection="ScanStorage",
                 source=func.BlobSource.EVENT_GRID)
def capture_letter(scan: func.InputStream) -> None:
    """Transient errors raise (Event Grid or the local host retries); a letter that cannot be read is
    recorded in the failure log under its hashed name with its reason and stays in storage until
    `loket replay letters`: nothing is lost. An oversized scan is refused before it is read."""
    name = (scan.name or "").removeprefix(CONTAINER_PREFIX)
    capture_scan(name, scan.length, scan.read, get_services().letter_capture())
