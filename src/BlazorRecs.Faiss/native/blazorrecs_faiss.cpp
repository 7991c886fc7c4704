// extern "C" shim over FAISS for BlazorRecs.Faiss (bound with LibraryImport in NativeMethods.cs).
//
// Contract: every function returns 0 on success or a BRF_ERR_* code; on failure the message of the C++ exception
// that FAISS threw is kept per thread and read with brf_last_error(). No C++ exception crosses this boundary.
#include <faiss/AutoTune.h>
#include <faiss/Index.h>
#include <faiss/IndexHNSW.h>
#include <faiss/IndexIDMap.h>
#include <faiss/IndexIVF.h>
#include <faiss/impl/FaissException.h>
#include <faiss/impl/IDSelector.h>
#include <faiss/index_factory.h>
#include <faiss/index_io.h>

#include <cstdint>
#include <cstring>
#include <exception>
#include <new>
#include <string>

#define BRF_API extern "C" __attribute__((visibility("default")))

namespace {

enum BrfError : int {
    BRF_OK = 0,
    BRF_ERR_FAISS = 1,     // faiss::FaissException (assertions, unsupported operations, bad factory strings, I/O)
    BRF_ERR_STD = 2,       // any other std::exception
    BRF_ERR_NO_MEMORY = 3, // std::bad_alloc
    BRF_ERR_UNKNOWN = 4,   // anything else
    BRF_ERR_ARGUMENT = 5,  // rejected by the shim before FAISS was called
};

thread_local std::string last_error;

template <typename F>
int guarded(F&& body) noexcept {
    try {
        body();
        last_error.clear();
        return BRF_OK;
    } catch (const faiss::FaissException& e) {
        last_error = e.what();
        return BRF_ERR_FAISS;
    } catch (const std::bad_alloc& e) {
        last_error = std::string("out of memory: ") + e.what();
        return BRF_ERR_NO_MEMORY;
    } catch (const std::invalid_argument& e) {
        last_error = e.what();
        return BRF_ERR_ARGUMENT;
    } catch (const std::exception& e) {
        last_error = e.what();
        return BRF_ERR_STD;
    } catch (...) {
        last_error = "unknown C++ exception";
        return BRF_ERR_UNKNOWN;
    }
}

faiss::Index* as_index(void* p) {
    if (p == nullptr) throw std::invalid_argument("index handle is null");
    return static_cast<faiss::Index*>(p);
}

// Indexes that cannot store external ids themselves (Flat, HNSW, PQ, ...) are wrapped in IndexIDMap2 so that
// add_with_ids works uniformly; IVF indexes keep ids natively.
faiss::Index* with_id_map(faiss::Index* index) {
    if (dynamic_cast<faiss::IndexIDMap*>(index) != nullptr) return index;
    if (dynamic_cast<faiss::IndexIVF*>(index) != nullptr) return index;
    auto* mapped = new faiss::IndexIDMap2(index);
    mapped->own_fields = true;
    return mapped;
}

} // namespace

BRF_API const char* brf_last_error() { return last_error.c_str(); }

BRF_API const char* brf_version() {
    static const std::string version = std::to_string(FAISS_VERSION_MAJOR) + "." +
                                       std::to_string(FAISS_VERSION_MINOR) + "." +
                                       std::to_string(FAISS_VERSION_PATCH);
    return version.c_str();
}

// metric: 0 = inner product, 1 = L2 (FAISS's own MetricType values).
BRF_API int brf_index_factory(int dim, const char* description, int metric, void** out) {
    return guarded([&] {
        if (out == nullptr || description == nullptr) throw std::invalid_argument("null argument");
        *out = nullptr;
        if (dim <= 0) throw std::invalid_argument("dimension must be positive");
        if (metric != faiss::METRIC_INNER_PRODUCT && metric != faiss::METRIC_L2)
            throw std::invalid_argument("metric must be 0 (inner product) or 1 (L2)");
        faiss::Index* index = faiss::index_factory(dim, description, static_cast<faiss::MetricType>(metric));
        *out = with_id_map(index);
    });
}

BRF_API void brf_free(void* index) { delete static_cast<faiss::Index*>(index); }

BRF_API int brf_info(void* index, int* dim, int64_t* ntotal, int* is_trained, int* metric) {
    return guarded([&] {
        faiss::Index* ix = as_index(index);
        *dim = static_cast<int>(ix->d);
        *ntotal = ix->ntotal;
        *is_trained = ix->is_trained ? 1 : 0;
        *metric = static_cast<int>(ix->metric_type);
    });
}

BRF_API int brf_train(void* index, int64_t n, const float* x) {
    return guarded([&] { as_index(index)->train(n, x); });
}

BRF_API int brf_add_with_ids(void* index, int64_t n, const float* x, const int64_t* ids) {
    return guarded([&] { as_index(index)->add_with_ids(n, x, ids); });
}

BRF_API int brf_search(void* index, int64_t n, const float* x, int64_t k, float* distances, int64_t* labels) {
    return guarded([&] { as_index(index)->search(n, x, k, distances, labels); });
}

BRF_API int brf_remove_ids(void* index, int64_t n, const int64_t* ids, int64_t* removed) {
    return guarded([&] {
        faiss::IDSelectorBatch selector(static_cast<size_t>(n), ids);
        *removed = static_cast<int64_t>(as_index(index)->remove_ids(selector));
    });
}

BRF_API int brf_reset(void* index) {
    return guarded([&] { as_index(index)->reset(); });
}

BRF_API int brf_write(void* index, const char* path) {
    return guarded([&] { faiss::write_index(as_index(index), path); });
}

BRF_API int brf_read(const char* path, void** out) {
    return guarded([&] {
        *out = nullptr;
        *out = faiss::read_index(path);
    });
}

// name: "nprobe" (IVF) or "efSearch" (HNSW); ParameterSpace looks through IDMap and pre-transform wrappers.
BRF_API int brf_set_parameter(void* index, const char* name, double value) {
    return guarded([&] {
        faiss::ParameterSpace space;
        space.set_index_parameter(as_index(index), name, value);
    });
}
