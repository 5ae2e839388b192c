#include "model/batchworkers.h"

#include "model/runtime.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <limits>
#include <mutex>
#include <thread>
#include <vector>

namespace pairtune {
namespace {

// One thread per call for OpenBLAS and LibTorch while alive; the previous counts come back after.
class OneThreadPerCall
{
public:
    OneThreadPerCall()
        : m_matrix(matrixThreads())
        , m_intraOp(at::get_num_threads())
    {
        setMatrixThreads(1);
        // Also the count other threads start from (at::init_num_threads reads it).
        at::set_num_threads(1);
    }
    ~OneThreadPerCall()
    {
        at::set_num_threads(m_intraOp);
        setMatrixThreads(m_matrix);
    }
    OneThreadPerCall(const OneThreadPerCall &) = delete;
    OneThreadPerCall &operator=(const OneThreadPerCall &) = delete;

private:
    int m_matrix;
    int m_intraOp;
};

} // namespace

void runOnWorkers(std::size_t count, int workers, const std::function<void(std::size_t)> &work)
{
    const std::size_t threads = std::min<std::size_t>(count, static_cast<std::size_t>(std::max(workers, 1)));
    if (threads <= 1) {
        for (std::size_t i = 0; i < count; ++i)
            work(i);
        return;
    }
    const OneThreadPerCall oneThread;
    std::atomic<std::size_t> next { 0 };
    std::atomic<bool> failed { false };
    std::mutex errorMutex;
    std::size_t errorIndex = std::numeric_limits<std::size_t>::max();
    std::exception_ptr error;
    const auto loop = [&] {
        while (!failed.load()) {
            const std::size_t i = next.fetch_add(1);
            if (i >= count)
                return;
            try {
                work(i);
            } catch (...) {
                const std::lock_guard<std::mutex> lock(errorMutex);
                if (i < errorIndex) {
                    errorIndex = i;
                    error = std::current_exception();
                }
                failed.store(true);
            }
        }
    };
    std::vector<std::thread> extra;
    extra.reserve(threads - 1);
    for (std::size_t t = 1; t < threads; ++t)
        extra.emplace_back([&loop] {
            // A new thread's OpenMP count is OpenMP's default (every core), which oneDNN's int8 products
            // would use; take the process's setting of one thread instead.
            at::init_num_threads();
            loop();
        });
    loop();
    for (std::thread &t : extra)
        t.join();
    if (error)
        std::rethrow_exception(error);
}

} // namespace pairtune
