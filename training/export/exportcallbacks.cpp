#include "export/exportcallbacks.h"

#include "core/error.h"

namespace pairtune {

void ExportCallbacks::throwIfCancelled() const
{
    if (cancelled && cancelled())
        throw Error("export stopped", Error::Kind::Cancelled);
}

} // namespace pairtune
