#pragma once

// The few HTTP requests the Hub client makes, through libcurl (never hand-written HTTP). Internal to
// training/hub. The token only ever travels in the Authorization header; nothing here puts a header or
// a token into a message.

#include "hub/hubclient.h"

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace pairtune::hub::detail {

struct HttpRequest
{
    std::string url;
    bool head = false; // HEAD instead of GET
    bool followRedirects = false;
    std::optional<std::string> bearerToken;
    std::int64_t rangeFrom = 0; // sends "Range: bytes=N-" when > 0
};

struct HttpResponse
{
    long status = 0;
    std::map<std::string, std::string> headers; // of the last response, names in lower case
    std::string body; // the body, unless a sink took it (then only error bodies land here)

    std::optional<std::string> header(const std::string &lowerCaseName) const;
};

// Takes the bytes of a 2xx body as they arrive. Returns false to abort the transfer (a write failed).
using BodySink = std::function<bool(long status, std::string_view chunk)>;

// The request never got a complete answer: no route, refused, timed out, connection dropped mid-body.
// These are the failures worth a retry, and the ones that mean "no network" to the caller.
class TransferFailed : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

class HttpClient
{
public:
    // timeoutSeconds bounds connecting and any stall of the transfer; cancel is polled about every
    // 100 ms, and a true answer makes perform throw Error (Kind::Cancelled).
    HttpClient(double timeoutSeconds, CancelCallback cancel);

    // Throws TransferFailed (network), Error (Cancelled). HTTP error statuses are returned, not thrown.
    HttpResponse perform(const HttpRequest &request, const BodySink &sink = {}) const;

    // Throws Error (Kind::Cancelled) when the caller asked to stop.
    void checkCancel() const;

private:
    double m_timeoutSeconds;
    CancelCallback m_cancel;
};

// url-encodes a path segment (everything but unreserved characters); '/' kept when keepSlashes.
std::string urlEncode(const std::string &text, bool keepSlashes);

// "scheme://host:port" of a URL, for deciding whether a redirect stays on the same server.
std::string urlOrigin(const std::string &url);

} // namespace pairtune::hub::detail
