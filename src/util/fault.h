// Named fault points for crash tests (STYLE.md "Nothing lost, nothing twice").
// When the environment variable REPLYDESK_FAULT names a point, reaching that
// point kills the process with SIGKILL, as a power cut or OOM kill would.
// REPLYDESK_FAULT may be "name" or "name@N" (die on the N-th hit, 1-based).
// The variable is read once; an unset variable costs one branch per point.
#pragma once

namespace replydesk::util {

void FaultPoint(const char* name);

}  // namespace replydesk::util
