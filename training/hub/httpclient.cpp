#include "hub/httpclient.h"

#include "core/error.h"
#include "pairtune/version.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <curl/curl.h>
#include <memory>
#include <mutex>

namespace pairtune::hub::detail {

namespace {

void initCurlOnce()
{
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// What the callbacks of one transfer share.
struct Transfer
{
    CURL *easy = nullptr;
    const BodySink *sink = nullptr;
    const HttpClient *client = nullptr;
    HttpResponse response;
    bool cancelled = false;
    bool sinkRefused = false;
};

std::string lower(std::string text)
{
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
    return text;
}

std::string trim(const std::string &text)
{
    const std::size_t begin = text.find_first_not_of(" \t\r\n");
    if (begin == std::string::npos)
        return "";
    return text.substr(begin, text.find_last_not_of(" \t\r\n") - begin + 1);
}

std::size_t onHeader(char *data, std::size_t size, std::size_t count, void *user)
{
    auto *transfer = static_cast<Transfer *>(user);
    const std::string line(data, size * count);
    if (line.rfind("HTTP/", 0) == 0) {
        transfer->response.headers.clear(); // a new response (after a redirect or a 100 Continue)
    } else if (const std::size_t colon = line.find(':'); colon != std::string::npos) {
        transfer->response.headers[lower(trim(line.substr(0, colon)))] = trim(line.substr(colon + 1));
    }
    return size * count;
}

std::size_t onBody(char *data, std::size_t size, std::size_t count, void *user)
{
    auto *transfer = static_cast<Transfer *>(user);
    const std::size_t bytes = size * count;
    long status = 0;
    curl_easy_getinfo(transfer->easy, CURLINFO_RESPONSE_CODE, &status);
    if (!transfer->sink || status < 200 || status >= 300) {
        if (transfer->response.body.size() < (64u << 20))
            transfer->response.body.append(data, bytes);
        return bytes;
    }
    if (!(*transfer->sink)(status, std::string_view(data, bytes))) {
        transfer->sinkRefused = true;
        return CURL_WRITEFUNC_ERROR;
    }
    return bytes;
}

int onProgress(void *user, curl_off_t, curl_off_t, curl_off_t, curl_off_t)
{
    auto *transfer = static_cast<Transfer *>(user);
    try {
        transfer->client->checkCancel();
    } catch (const Error &) {
        transfer->cancelled = true;
    }
    return transfer->cancelled ? 1 : 0;
}

struct EasyDeleter
{
    void operator()(CURL *easy) const { curl_easy_cleanup(easy); }
};
struct MultiDeleter
{
    void operator()(CURLM *multi) const { curl_multi_cleanup(multi); }
};
struct SlistDeleter
{
    void operator()(curl_slist *list) const { curl_slist_free_all(list); }
};

} // namespace

std::optional<std::string> HttpResponse::header(const std::string &lowerCaseName) const
{
    const auto it = headers.find(lowerCaseName);
    if (it == headers.end())
        return std::nullopt;
    return it->second;
}

HttpClient::HttpClient(double timeoutSeconds, CancelCallback cancel)
    : m_timeoutSeconds(timeoutSeconds > 0 ? timeoutSeconds : 10)
    , m_cancel(std::move(cancel))
{
    initCurlOnce();
}

void HttpClient::checkCancel() const
{
    if (m_cancel && m_cancel())
        throw Error("The download was cancelled.", Error::Kind::Cancelled);
}

HttpResponse HttpClient::perform(const HttpRequest &request, const BodySink &sink) const
{
    checkCancel();
    std::unique_ptr<CURL, EasyDeleter> easy(curl_easy_init());
    std::unique_ptr<CURLM, MultiDeleter> multi(curl_multi_init());
    if (!easy || !multi)
        throw TransferFailed("libcurl could not start a transfer");

    Transfer transfer;
    transfer.easy = easy.get();
    transfer.sink = sink ? &sink : nullptr;
    transfer.client = this;

    std::unique_ptr<curl_slist, SlistDeleter> headers;
    const auto addHeader = [&headers](const std::string &line) {
        headers.reset(curl_slist_append(headers.release(), line.c_str()));
    };
    if (request.bearerToken)
        addHeader("Authorization: Bearer " + *request.bearerToken);
    // The real size of a file, not of a compressed answer (get_hf_file_metadata does the same).
    addHeader("Accept-Encoding: identity");
    if (request.rangeFrom > 0)
        addHeader("Range: bytes=" + std::to_string(request.rangeFrom) + "-");

    char errorBuffer[CURL_ERROR_SIZE] = {};
    const long timeoutMs = static_cast<long>(std::lround(m_timeoutSeconds * 1000));
    CURL *e = easy.get();
    curl_easy_setopt(e, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers.get());
    curl_easy_setopt(e, CURLOPT_NOBODY, request.head ? 1L : 0L);
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, request.followRedirects ? 1L : 0L);
    curl_easy_setopt(e, CURLOPT_MAXREDIRS, 10L);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, timeoutMs);
    // A stalled transfer (under 1 byte/s for the timeout) counts as a dropped connection.
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, std::max(1L, (timeoutMs + 999) / 1000));
    curl_easy_setopt(e, CURLOPT_USERAGENT, (std::string("pairtune/") + kVersion).c_str());
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errorBuffer);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, onHeader);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, &transfer);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, onBody);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &transfer);
    curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, onProgress);
    curl_easy_setopt(e, CURLOPT_XFERINFODATA, &transfer);

    // The multi interface with a 100 ms poll, so cancel is seen within 100 ms even while the server is
    // silent (curl_easy_perform may wait up to a second between progress callbacks).
    curl_multi_add_handle(multi.get(), e);
    int running = 1;
    while (running) {
        if (curl_multi_perform(multi.get(), &running) != CURLM_OK)
            break;
        if (!running)
            break;
        if (!transfer.cancelled && m_cancel && m_cancel())
            transfer.cancelled = true;
        if (transfer.cancelled)
            break;
        curl_multi_poll(multi.get(), nullptr, 0, 100, nullptr);
    }
    CURLcode result = CURLE_OK;
    int left = 0;
    while (CURLMsg *message = curl_multi_info_read(multi.get(), &left))
        if (message->msg == CURLMSG_DONE && message->easy_handle == e)
            result = message->data.result;
    curl_multi_remove_handle(multi.get(), e);

    if (transfer.cancelled || result == CURLE_ABORTED_BY_CALLBACK)
        throw Error("The download was cancelled.", Error::Kind::Cancelled);
    if (running && !transfer.cancelled)
        throw TransferFailed("libcurl failed while transferring " + request.url);
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &transfer.response.status);
    if (transfer.sinkRefused)
        return std::move(transfer.response); // the sink knows why it refused
    if (result != CURLE_OK) {
        const std::string detail = errorBuffer[0] ? errorBuffer : curl_easy_strerror(result);
        throw TransferFailed(detail);
    }
    return std::move(transfer.response);
}

std::string urlEncode(const std::string &text, bool keepSlashes)
{
    static const char *hex = "0123456789ABCDEF";
    std::string out;
    for (const unsigned char c : text) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || (keepSlashes && c == '/')) {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

std::string urlOrigin(const std::string &url)
{
    const std::size_t scheme = url.find("://");
    if (scheme == std::string::npos)
        return "";
    const std::size_t end = url.find_first_of("/?#", scheme + 3);
    return lower(url.substr(0, end));
}

} // namespace pairtune::hub::detail
