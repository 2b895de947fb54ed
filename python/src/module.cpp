// SPDX-License-Identifier: BSD-3-Clause
// mi._mi_<isa>: the pybind11 extension under the Python package mi (python/mi/__init__.py
// is the public API; this module is its thin C++ layer).
//
// Arrays: a float32/float64 numpy array with unit stride along its last axis is
// read in place (the pointer, the shape and the row stride become an
// mi::activation_view); python/mi/__init__.py converts anything else once before
// it gets here, and to_view() refuses what it cannot view. The GIL is released
// around every estimate; information_plane's progress callback re-acquires it,
// checks for signals (Ctrl-C) and calls the Python callable. mi::error becomes
// mi.error (mi::cancelled: mi.cancelled, a subclass) with the C++ message.
//
// Instruction sets: the same sources build one module per SIMD variant
// (mi._mi_sse2, the baseline without extra flags; mi._mi_avx2; mi._mi_avx512),
// named by MI_PY_MODULE_NAME and tagged by MI_PY_ISA (setup.py and
// cmake/mi_python.cmake set both); python/mi/__init__.py imports the best one
// the CPU supports (_cpu_features(), asked of the baseline) as mi._mi. Each
// variant keeps its own pybind11 internals (PYBIND11_INTERNALS_KIND below), so
// that two variants loaded in one process (the tests compare them) register
// the same C++ types and exception translators without clashing.
#ifndef MI_PY_MODULE_NAME
#define MI_PY_MODULE_NAME _mi_sse2
#endif
#ifndef MI_PY_ISA
#define MI_PY_ISA sse2
#endif
#define MI_PY_STR2(x) #x
#define MI_PY_STR(x) MI_PY_STR2(x)
#ifndef PYBIND11_INTERNALS_KIND
#define PYBIND11_INTERNALS_KIND "_mi_" MI_PY_STR(MI_PY_ISA)
#endif
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "estimator.hpp"

namespace py = pybind11;
using namespace pybind11::literals;

namespace mipy {
namespace {

// ------------------------------------------------------------------ arrays

template <class T>
any_view view_as(const py::array& a, const char* name) {
    const auto* p = static_cast<const T*>(a.data());
    const auto item = static_cast<py::ssize_t>(sizeof(T));
    const auto rows = static_cast<std::size_t>(a.shape(0));
    if (a.ndim() == 1) {
        const py::ssize_t s = a.strides(0);
        if (rows > 1 && (s <= 0 || s % item != 0))
            mi::detail::fail("mi", (std::string(name) + " stride").c_str(), s,
                             "a positive multiple of the item size (" + std::to_string(item) + " bytes)");
        return mi::activation_view<const T>(p, rows, 1, rows > 1 ? static_cast<std::size_t>(s / item) : 1);
    }
    const auto cols = static_cast<std::size_t>(a.shape(1));
    const py::ssize_t rs = a.strides(0), cs = a.strides(1);
    if (cols > 1 && cs != item)
        mi::detail::fail("mi", (std::string(name) + " unit stride").c_str(), cs,
                         std::to_string(item) + " bytes (rows x units, C order along the units)");
    if (rows > 1 && (rs < 0 || rs % item != 0 || static_cast<std::size_t>(rs / item) < cols))
        mi::detail::fail("mi", (std::string(name) + " row stride").c_str(), rs,
                         "a multiple of the item size covering one row (>= " + std::to_string(cols * item) + " bytes)");
    return mi::activation_view<const T>(p, rows, cols, rows > 1 ? static_cast<std::size_t>(rs / item) : cols);
}

/// The view of a numpy array, without copying; mi::error when it cannot be viewed.
any_view to_view(const py::array& a, const char* name) {
    if (a.ndim() != 1 && a.ndim() != 2)
        mi::detail::fail("mi", (std::string(name) + " dimension").c_str(), a.ndim(),
                         "1 (one unit) or 2 (samples x units)");
    const py::dtype dt = a.dtype();
    const bool native = dt.byteorder() == '=' || dt.byteorder() == '|' || (dt.byteorder() == '<' && PY_LITTLE_ENDIAN) ||
                        (dt.byteorder() == '>' && !PY_LITTLE_ENDIAN);
    const bool aligned = (a.flags() & py::detail::npy_api::NPY_ARRAY_ALIGNED_) != 0;
    if (!native || !aligned)
        mi::detail::fail("mi", name, native ? "an unaligned array" : "a byte-swapped array",
                         "an aligned array in native byte order (convert with numpy.ascontiguousarray)");
    if (dt.kind() == 'f' && dt.itemsize() == 4) return view_as<float>(a, name);
    if (dt.kind() == 'f' && dt.itemsize() == 8) return view_as<double>(a, name);
    mi::detail::fail("mi", (std::string(name) + " dtype").c_str(), dt.attr("name").cast<std::string>(),
                     "float32 or float64 (mi.* converts other inputs to float64 first)");
}


// ------------------------------------------------------------------ small values

std::size_t count(long long v, const char* where, const char* argument) {
    if (v < 0) mi::detail::fail(where, argument, v, "a non-negative integer");
    return static_cast<std::size_t>(v);
}

/// Integer ids (int64) or floating-point whole numbers (double), as the C++ classes take them.
template <class F>
auto with_ids(const py::array& a, const char* where, F&& f) {
    if (a.ndim() != 1) mi::detail::fail(where, "ids dimension", a.ndim(), "1 (one id per sample)");
    const char k = a.dtype().kind();
    if (k == 'i' || k == 'u' || k == 'b') {
        auto c = py::array_t<std::int64_t, py::array::c_style | py::array::forcecast>::ensure(a);
        if (k == 'u' && a.dtype().itemsize() == 8) {  // uint64 above int64: keep it exact
            auto u = py::array_t<std::uint64_t, py::array::c_style | py::array::forcecast>::ensure(a);
            return f(std::vector<std::uint64_t>(u.data(), u.data() + u.size()));
        }
        return f(std::vector<std::int64_t>(c.data(), c.data() + c.size()));
    }
    if (k == 'f') {
        auto c = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(a);
        return f(std::vector<double>(c.data(), c.data() + c.size()));
    }
    mi::detail::fail(where, "ids dtype", a.dtype().attr("name").cast<std::string>(), "integers (or floating-point whole numbers)");
}

mi::labels make_labels(const py::array& y, std::optional<long long> classes) {
    return with_ids(y, "mi::labels", [&](const auto& ids) {
        return classes ? mi::labels(ids, count(*classes, "mi::labels", "classes")) : mi::labels(ids);
    });
}

mi::input_ids make_inputs(const py::array& x) {
    return with_ids(x, "mi::input_ids", [](const auto& ids) { return mi::input_ids(ids); });
}

mi::replica_groups make_replicas(const py::object& r) {
    if (py::isinstance<py::int_>(r))
        return mi::replica_groups::consecutive(count(r.cast<long long>(), "mi::replica_groups::consecutive", "replicas"));
    return with_ids(r.cast<py::array>(), "mi::replica_groups", [](const auto& ids) { return mi::replica_groups(ids); });
}

py::object to_python(const value& v) {
    if (const auto* d = std::get_if<double>(&v)) return py::float_(*d);
    const auto& b = std::get<mi::bounds>(v);
    return py::make_tuple(b.lower, b.upper);
}

py::object bounds_or_none(const std::optional<mi::bounds>& b) {
    if (!b) return py::none();
    return py::make_tuple(b->lower, b->upper);
}

py::tuple point_tuple(const mi::plane_point& p) {
    return py::make_tuple(p.ixt, p.ity, mi::quantity_name(p.ixt_kind), bounds_or_none(p.ixt_bounds),
                          bounds_or_none(p.ity_bounds), bounds_or_none(p.ixt_ci), bounds_or_none(p.ity_ci));
}

// ------------------------------------------------------------------ the plane

/// The trajectory as the columns of mi::write_csv (mi::csv_columns(), in that order), values
/// in the trajectory's output unit, empty cells as NaN.
py::dict columns_of(const mi::trajectory& t) {
    const auto& names = mi::csv_columns();
    std::vector<py::list> c(names.size());
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const mi::unit u = t.output_unit();
    for (const auto& r : t.rows()) {
        const mi::plane_point p = mi::in_unit(r.point, u);
        std::size_t i = 0;
        c[i++].append(t.estimator());
        c[i++].append(t.parameters());
        c[i++].append(r.epoch);
        c[i++].append(r.layer);
        c[i++].append(p.ixt);
        c[i++].append(p.ity);
        for (const auto* b : {&p.ixt_bounds, &p.ity_bounds, &p.ixt_ci, &p.ity_ci}) {
            c[i++].append(*b ? (*b)->lower : nan);
            c[i++].append(*b ? (*b)->upper : nan);
        }
        c[i++].append(mi::quantity_name(p.ixt_kind));
        c[i++].append(mi::unit_name(u));
    }
    py::dict d;
    for (std::size_t i = 0; i < names.size(); ++i) d[py::str(names[i])] = c[i];
    return d;
}

std::string csv_text(const std::vector<mi::trajectory>& ts) {
    std::ostringstream out;
    mi::write_csv(ts, out);
    return out.str();
}

template <class T>
mi::trajectory run_plane(const estimator& e, const mi::recording<T>& rec, long long threads, long long bootstrap,
                         double confidence, std::uint64_t seed, bool bits, const py::object& progress) {
    mi::plane_options o;
    o.threads = count(threads, "mi::information_plane", "threads");
    o.bootstrap = count(bootstrap, "mi::information_plane", "bootstrap");
    o.confidence = confidence;
    o.seed = seed;
    o.output_unit = bits ? mi::unit::bits : mi::unit::nats;
    std::optional<py::error_already_set> raised;  // Ctrl-C or an exception of the callback
    const bool call = !progress.is_none();
    // Called from the worker that finished an estimate, never concurrently (mi::plane_options):
    // with the GIL, check for signals (they are handled on the main thread), then the callable.
    o.progress = [&](std::size_t done, std::size_t total) -> bool {
        py::gil_scoped_acquire gil;
        if (raised) return false;
        if (PyErr_CheckSignals() != 0) {
            raised.emplace();
            return false;
        }
        if (!call) return true;
        try {
            const py::object r = progress(done, total);
            if (r.is_none()) return true;
            const int truth = PyObject_IsTrue(r.ptr());
            if (truth < 0) throw py::error_already_set();
            return truth != 0;
        } catch (py::error_already_set& err) {
            raised.emplace(std::move(err));
            return false;
        }
    };
    std::optional<mi::trajectory> out;
    try {
        py::gil_scoped_release nogil;
        out.emplace(e.plane(rec, o));
    } catch (const mi::cancelled&) {
        if (raised) throw py::error_already_set(std::move(*raised));
        throw;
    }
    return std::move(*out);
}

template <class T>
void bind_recording(py::module_& m, const char* name) {
    using R = mi::recording<T>;
    py::class_<R>(m, name)
        .def(py::init<mi::samples>(), "samples"_a)
        .def(
            "observe",
            [](R& r, long long epoch, long long layer, const py::array& a) {
                const any_view v = to_view(a, "activations");
                const auto* tv = std::get_if<mi::activation_view<const T>>(&v);
                if (!tv) throw mi::error("mi::recording::observe: activations have another element type than the recording");
                if (layer < 0) mi::detail::fail("mi::recording::observe", "layer", layer, "a non-negative layer index");
                py::gil_scoped_release nogil;
                r.observe(static_cast<mi::epoch_t>(epoch), static_cast<std::size_t>(layer), *tv);
            },
            "epoch"_a, "layer"_a, "activations"_a)
        .def("size", &R::size)
        .def("epochs", &R::epochs)
        .def("layers", &R::layers)
        .def("units", &R::units, "layer"_a)
        .def("samples", &R::samples, py::return_value_policy::reference_internal)
        .def(
            "at",
            [](const R& r, long long epoch, long long layer) {
                if (layer < 0) mi::detail::fail("mi::recording::at", "layer", layer, "a non-negative layer index");
                const auto v = r.at(static_cast<mi::epoch_t>(epoch), static_cast<std::size_t>(layer));
                // a copy: the recording may replace this buffer when the (epoch, layer) is observed again
                py::array_t<T> out({v.rows(), v.cols()});
                auto w = out.template mutable_unchecked<2>();
                for (std::size_t i = 0; i < v.rows(); ++i)
                    for (std::size_t j = 0; j < v.cols(); ++j) w(i, j) = v(i, j);
                return out;
            },
            "epoch"_a, "layer"_a);
}

template <class T>
std::string type_name() {
    return py::str(py::type::of<T>().attr("__name__"));
}

template <class Q>
void quantizer_methods(py::class_<Q>& c) {
    c.def_property_readonly("name", [](const Q& q) { return q.name(); })
        .def_property_readonly("parameters", [](const Q& q) { return q.parameters(); })
        .def("__repr__", [](const Q& q) { return "mi." + q.name() + "(" + q.parameters() + ")"; });
}

template <class Q>
std::optional<quantizer> try_quantizer(const py::object& q) {
    if (py::isinstance<Q>(q)) return quantizer(q.cast<Q>());
    return std::nullopt;
}

search_kind search_of(const std::string& s) {
    if (s == "automatic") return search_kind::automatic;
    if (s == "kd_tree") return search_kind::kd_tree;
    if (s == "grid") return search_kind::grid;
    if (s == "brute_force") return search_kind::brute_force;
    mi::detail::fail("mi", "search", s, "automatic, kd_tree, grid or brute_force");
}

/// The x86 features the running CPU and OS offer, by the same __builtin_cpu_supports
/// (libgcc's cpuid and xgetbv) that mi::build_info() uses; empty elsewhere.
py::list cpu_features() {
    py::list out;
#if (defined(__GNUC__) || defined(__clang__)) && (defined(__x86_64__) || defined(__i386__))
    __builtin_cpu_init();
#define MI_PY_FEATURE(name) \
    if (__builtin_cpu_supports(name)) out.append(name);
    MI_PY_FEATURE("sse2")
    MI_PY_FEATURE("sse4.2")
    MI_PY_FEATURE("popcnt")
    MI_PY_FEATURE("avx")
    MI_PY_FEATURE("avx2")
    MI_PY_FEATURE("fma")
    MI_PY_FEATURE("bmi")
    MI_PY_FEATURE("bmi2")
    MI_PY_FEATURE("avx512f")
    MI_PY_FEATURE("avx512cd")
    MI_PY_FEATURE("avx512bw")
    MI_PY_FEATURE("avx512dq")
    MI_PY_FEATURE("avx512vl")
#undef MI_PY_FEATURE
#endif
    return out;
}

/// A 2-D float64 matrix as a view (python/mi/__init__.py converts with ascontiguousarray first).
mi::activation_view<const double> matrix_view(const py::array_t<double, py::array::c_style>& a, const char* where,
                                              const char* name) {
    if (a.ndim() != 2)
        mi::detail::fail(where, (std::string(name) + " dimension").c_str(), a.ndim(), "2 (rows x columns)");
    const auto rows = static_cast<std::size_t>(a.shape(0)), cols = static_cast<std::size_t>(a.shape(1));
    return mi::activation_view<const double>(a.data(), rows, cols, cols);
}

/// Seconds per call of f() over `repeats` calls, timed in C++ without the GIL (the
/// Python-overhead benchmark, bench/compare_python.py, compares it with a Python loop).
template <class F>
double seconds_per_call(long long repeats, F&& f) {
    const std::size_t n = count(repeats, "mi._time", "repeats");
    if (n == 0) mi::detail::fail("mi._time", "repeats", 0, ">= 1");
    py::gil_scoped_release nogil;
    volatile double sink = 0.0;
    const auto start = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < n; ++i) sink = sink + f();
    const std::chrono::duration<double> d = std::chrono::steady_clock::now() - start;
    return d.count() / static_cast<double>(n);
}

double first_value(const value& v) {
    if (const auto* d = std::get_if<double>(&v)) return *d;
    return std::get<mi::bounds>(v).upper;
}

}  // namespace
}  // namespace mipy

PYBIND11_MODULE(MI_PY_MODULE_NAME, m) {
    using namespace mipy;
    m.doc() = "mi's C++ estimators (the public API is the package mi)";

    static py::exception<mi::error> error_type(m, "error", PyExc_Exception);
    static py::exception<mi::cancelled> cancelled_type(m, "cancelled", error_type.ptr());
    // Translators run newest first: cancelled before its base.
    py::register_exception_translator([](std::exception_ptr p) {
        try {
            if (p) std::rethrow_exception(p);
        } catch (const mi::error& e) {
            PyErr_SetString(error_type.ptr(), e.what());
        }
    });
    py::register_exception_translator([](std::exception_ptr p) {
        try {
            if (p) std::rethrow_exception(p);
        } catch (const mi::cancelled& e) {
            PyErr_SetString(cancelled_type.ptr(), e.what());
        }
    });

    if (mi::csv_columns().size() != 16) throw std::runtime_error("mi._mi: mi::csv_columns() changed; update columns_of");

    m.def("build_info", [] {
        return "mi " + std::to_string(MI_VERSION_MAJOR) + "." + std::to_string(MI_VERSION_MINOR) + "." +
               std::to_string(MI_VERSION_PATCH) + ": " + mi::build_info().to_string();
    });
    m.attr("_isa") = MI_PY_STR(MI_PY_ISA);
    m.def("_cpu_features", &cpu_features);
    m.def("_compiled_simd", [] {
        const auto b = mi::build_info();
        return py::make_tuple(b.compiled, b.compiled_bits);
    });
    m.attr("__version__") = std::to_string(MI_VERSION_MAJOR) + "." + std::to_string(MI_VERSION_MINOR) + "." +
                            std::to_string(MI_VERSION_PATCH);
    m.def("csv_columns", [] { return mi::csv_columns(); });
    m.def("set_num_threads", [](long long n) { mi::set_num_threads(count(n, "mi.set_num_threads", "n")); }, "n"_a);
    m.def("num_threads", [] { return mi::num_threads(); });
    m.def(
        "_buffer_address",
        [](const py::array& a) {
            const any_view v = to_view(a, "t");
            return std::visit([](const auto& x) { return reinterpret_cast<std::uintptr_t>(x.data()); }, v);
        },
        "array"_a);

    // ---------------------------------------------------------------- samples
    py::class_<mi::labels>(m, "_Labels")
        .def(py::init(&make_labels), "labels"_a, "classes"_a = py::none())
        .def("__len__", &mi::labels::size)
        .def_property_readonly("classes", &mi::labels::classes);
    py::class_<mi::input_ids>(m, "_InputIds").def(py::init(&make_inputs), "ids"_a).def("__len__", &mi::input_ids::size);
    py::class_<mi::replica_groups>(m, "_Replicas").def(py::init(&make_replicas), "replicas"_a);
    py::class_<mi::samples>(m, "_Samples")
        .def(py::init([](const mi::labels& y, const py::object& ids, const py::object& x, const py::object& replicas) {
                 mi::samples s = ids.is_none() ? mi::samples(y) : mi::samples(y, ids.cast<const mi::input_ids&>());
                 if (!x.is_none()) {
                     const any_view v = to_view(x.cast<py::array>(), "x");
                     s = std::visit([&](const auto& xv) { return s.with_network_input(xv); }, v);
                 }
                 if (!replicas.is_none()) s = s.with_replicas(replicas.cast<const mi::replica_groups&>());
                 return s;
             }),
             "labels"_a, "input_ids"_a = py::none(), "x"_a = py::none(), "replicas"_a = py::none())
        .def("__len__", &mi::samples::size)
        .def_property_readonly("classes", [](const mi::samples& s) { return s.labels().classes(); })
        .def_property_readonly("labels", [](const mi::samples& s) { return s.labels().ids(); })
        .def_property_readonly("has_network_input", [](const mi::samples& s) { return !s.network_input().empty(); })
        .def_property_readonly("has_replicas", [](const mi::samples& s) { return !s.replicas().empty(); });

    bind_recording<float>(m, "_RecordingF32");
    bind_recording<double>(m, "_RecordingF64");

    py::class_<mi::trajectory>(m, "_Trajectory")
        .def_property_readonly("estimator", &mi::trajectory::estimator)
        .def_property_readonly("parameters", &mi::trajectory::parameters)
        .def("__len__", &mi::trajectory::size)
        .def("columns", &columns_of)
        .def("to_csv", [](const mi::trajectory& t) { return csv_text({t}); });
    m.def("_to_csv", &csv_text, "trajectories"_a);

    // ---------------------------------------------------------------- policies
    {
        py::class_<mi::uniform> c(m, "uniform");
        c.def(py::init([](long long bins, double lo, double hi) { return mi::uniform(count(bins, "mi::uniform", "bins"), lo, hi); }),
              "bins"_a, "lo"_a, "hi"_a);
        c.def_static(
            "idnns",
            [](long long edges, double lo, double hi) { return mi::uniform::idnns(count(edges, "mi::uniform::idnns", "edges"), lo, hi); },
            "edges"_a = 30, "lo"_a = -1.0, "hi"_a = 1.0);
        quantizer_methods(c);
    }
    {
        py::class_<mi::fixed_width> c(m, "fixed_width");
        c.def(py::init<double>(), "width"_a);
        quantizer_methods(c);
    }
    {
        py::class_<mi::adaptive_uniform> c(m, "adaptive_uniform");
        c.def(py::init([](long long b) { return mi::adaptive_uniform(count(b, "mi::adaptive_uniform", "bins")); }), "bins"_a);
        quantizer_methods(c);
    }
    {
        py::class_<mi::global_uniform> c(m, "global_uniform");
        c.def(py::init([](long long b) { return mi::global_uniform(count(b, "mi::global_uniform", "bins")); }), "bins"_a);
        c.def("with_range", &mi::global_uniform::with_range, "lo"_a, "hi"_a);
        quantizer_methods(c);
    }
    {
        py::class_<mi::equal_mass> c(m, "equal_mass");
        c.def(py::init([](long long b) { return mi::equal_mass(count(b, "mi::equal_mass", "bins")); }), "bins"_a);
        quantizer_methods(c);
    }
    {
        py::class_<mi::distinct_value_quantiles> c(m, "distinct_value_quantiles");
        c.def(py::init([](long long b, double low) {
                  return mi::distinct_value_quantiles(count(b, "mi::distinct_value_quantiles", "bins"), low);
              }),
              "bins"_a, "low"_a);
        c.def_static(
            "for_tanh", [](long long b) { return mi::distinct_value_quantiles::for_tanh(count(b, "mi::distinct_value_quantiles", "bins")); },
            "bins"_a = 30);
        c.def_static(
            "for_relu", [](long long b) { return mi::distinct_value_quantiles::for_relu(count(b, "mi::distinct_value_quantiles", "bins")); },
            "bins"_a = 30);
        quantizer_methods(c);
    }
    {
        py::class_<mi::bin_edges> c(m, "bin_edges");
        c.def(py::init<std::vector<double>>(), "edges"_a);
        quantizer_methods(c);
    }
    {
        py::class_<mi::machine_precision> c(m, "machine_precision");
        c.def(py::init<>());
        c.def_property_readonly("name", [](const mi::machine_precision&) { return std::string("machine_precision"); });
        c.def("__repr__", [](const mi::machine_precision&) { return std::string("mi.machine_precision()"); });
    }
    py::class_<mi::fixed_noise>(m, "fixed_noise")
        .def(py::init<double>(), "variance"_a)
        .def("__repr__", [](const mi::fixed_noise& n) { return "mi.fixed_noise(" + n.parameters() + ")"; });
    py::class_<mi::adaptive_noise>(m, "adaptive_noise")
        .def(py::init<double>(), "base"_a)
        .def("__repr__", [](const mi::adaptive_noise& n) { return "mi.adaptive_noise(" + n.parameters() + ")"; });
    py::class_<mi::tie_policy>(m, "tie_policy")
        .def(py::init<>())
        .def_static("jitter", &mi::tie_policy::jitter, "amplitude"_a = 1e-10, "seed"_a = 0)
        .def_static("none", &mi::tie_policy::none)
        .def_property_readonly("name", &mi::tie_policy::name)
        .def_property_readonly("amplitude", &mi::tie_policy::amplitude)
        .def_property_readonly("seed", &mi::tie_policy::seed)
        .def("__repr__", [](const mi::tie_policy& t) { return "mi.tie_policy(" + t.parameters() + ")"; });
    py::class_<mi::kernel_width>(m, "kernel_width")
        .def_static("silverman", &mi::kernel_width::silverman, "gamma"_a = 1.0)
        .def_static("fixed", &mi::kernel_width::fixed, "sigma"_a)
        .def("__repr__", [](const mi::kernel_width& w) { return "mi.kernel_width(" + w.parameters() + ")"; });

    // ---------------------------------------------------------------- estimators
    py::class_<estimator, std::shared_ptr<estimator>>(m, "_Estimator")
        .def_property_readonly("name", &estimator::name)
        .def_property_readonly("parameters", &estimator::parameters)
        .def("entropy",
             [](const estimator& e, const py::array& t) {
                 const any_view v = to_view(t, "t");
                 value r;
                 {
                     py::gil_scoped_release nogil;
                     r = e.entropy(v);
                 }
                 return to_python(r);
             })
        .def("mi_labels",
             [](const estimator& e, const py::array& t, const mi::labels& y) {
                 const any_view v = to_view(t, "t");
                 value r;
                 {
                     py::gil_scoped_release nogil;
                     r = e.mi_labels(v, y);
                 }
                 return to_python(r);
             })
        .def("mi_inputs",
             [](const estimator& e, const py::array& t, const mi::input_ids& x) {
                 const any_view v = to_view(t, "t");
                 value r;
                 {
                     py::gil_scoped_release nogil;
                     r = e.mi_inputs(v, x);
                 }
                 return to_python(r);
             })
        .def("mi_replicas",
             [](const estimator& e, const py::array& t, const mi::replica_groups& g) {
                 const any_view v = to_view(t, "t");
                 value r;
                 {
                     py::gil_scoped_release nogil;
                     r = e.mi_replicas(v, g);
                 }
                 return to_python(r);
             })
        .def("mi_x",
             [](const estimator& e, const py::array& t, const py::array& x) {
                 const any_view v = to_view(t, "t"), xv = to_view(x, "x");
                 value r;
                 {
                     py::gil_scoped_release nogil;
                     r = e.mi_x(v, xv);
                 }
                 return to_python(r);
             })
        .def("point",
             [](const estimator& e, const py::array& t, const mi::samples& s) {
                 const any_view v = to_view(t, "t");
                 mi::plane_point p;
                 {
                     py::gil_scoped_release nogil;
                     p = e.point(v, s);
                 }
                 return point_tuple(p);
             })
        .def("plane", &run_plane<float>, "recording"_a, "threads"_a, "bootstrap"_a, "confidence"_a, "seed"_a, "bits"_a,
             "progress"_a)
        .def("plane", &run_plane<double>, "recording"_a, "threads"_a, "bootstrap"_a, "confidence"_a, "seed"_a, "bits"_a,
             "progress"_a);

    m.def(
        "_binning",
        [](const py::object& q, const std::string& correction) {
            std::optional<quantizer> qq;
            for (auto f : {&try_quantizer<mi::uniform>, &try_quantizer<mi::fixed_width>, &try_quantizer<mi::adaptive_uniform>,
                           &try_quantizer<mi::global_uniform>, &try_quantizer<mi::equal_mass>,
                           &try_quantizer<mi::distinct_value_quantiles>, &try_quantizer<mi::bin_edges>,
                           &try_quantizer<mi::machine_precision>})
                if (!qq) qq = f(q);
            if (!qq)
                mi::detail::fail("mi::binning", "quantizer", std::string(py::repr(q)),
                                 "mi.uniform, mi.fixed_width, mi.adaptive_uniform, mi.global_uniform, mi.equal_mass, "
                                 "mi.distinct_value_quantiles, mi.bin_edges or mi.machine_precision");
            if (correction != "plug_in" && correction != "miller_madow")
                mi::detail::fail("mi::binning", "correction", correction, "plug_in or miller_madow");
            return make_binning(*qq, correction == "miller_madow");
        },
        "quantizer"_a, "correction"_a);
    m.def(
        "_decision_rule",
        [](const std::string& correction) -> std::shared_ptr<estimator> {
            if (correction == "plug_in") return make(mi::decision_rule<mi::plug_in>());
            if (correction == "miller_madow") return make(mi::decision_rule<mi::miller_madow>());
            mi::detail::fail("mi::decision_rule", "correction", correction, "plug_in or miller_madow");
        },
        "correction"_a);
    m.def(
        "_kde",
        [](const py::object& noise) -> std::shared_ptr<estimator> {
            if (py::isinstance<mi::fixed_noise>(noise))
                return make(mi::kde<mi::gaussian_kernel, mi::fixed_noise>(noise.cast<mi::fixed_noise>()));
            if (py::isinstance<mi::adaptive_noise>(noise))
                return make(mi::kde<mi::gaussian_kernel, mi::adaptive_noise>(noise.cast<mi::adaptive_noise>()));
            if (py::isinstance<py::float_>(noise) || py::isinstance<py::int_>(noise))
                return make(mi::kde<mi::gaussian_kernel, mi::fixed_noise>(mi::fixed_noise(noise.cast<double>())));
            mi::detail::fail("mi::kde", "noise", std::string(py::repr(noise)),
                             "a variance, mi.fixed_noise(variance) or mi.adaptive_noise(base)");
        },
        "noise"_a);
    m.def(
        "_kl_entropy",
        [](long long k, double epsilon, const mi::tie_policy& ties, const std::string& search, const std::string& metric,
           long long leaf_size) {
            mi::kl_entropy_options o;
            o.k = count(k, "mi::kl_entropy", "options.k");
            o.epsilon = epsilon;
            o.ties = ties;
            if (metric != "euclidean" && metric != "max_norm")
                mi::detail::fail("mi::kl_entropy", "metric", metric, "euclidean or max_norm");
            return make_kl_entropy(o, search_of(search), metric == "euclidean", count(leaf_size, "mi::kd_tree", "leaf_size"));
        },
        "k"_a, "epsilon"_a, "ties"_a, "search"_a, "metric"_a, "leaf_size"_a);
    m.def(
        "_ksg",
        [](long long k, int algorithm, const mi::tie_policy& ties, bool standardize, const std::string& search,
           long long leaf_size) {
            mi::ksg_options o;
            o.k = count(k, "mi::ksg", "options.k");
            o.algorithm = algorithm;
            o.ties = ties;
            o.standardize = standardize;
            return make_ksg(o, search_of(search), count(leaf_size, "mi::kd_tree", "leaf_size"));
        },
        "k"_a, "algorithm"_a, "ties"_a, "standardize"_a, "search"_a, "leaf_size"_a);
    m.def(
        "_sample_propagation",
        [](double sigma, long long mc_samples, std::uint64_t seed, const std::string& conditional) {
            mi::sample_propagation_options o;
            o.sigma = sigma;
            o.mc_samples = count(mc_samples, "mi::sample_propagation", "options.mc_samples");
            o.seed = seed;
            if (conditional == "replicas")
                o.conditional = mi::sp_conditional::replicas;
            else if (conditional == "deterministic")
                o.conditional = mi::sp_conditional::deterministic;
            else
                mi::detail::fail("mi::sample_propagation", "options.conditional", conditional, "replicas or deterministic");
            return make(mi::sample_propagation(o));
        },
        "sigma"_a, "mc_samples"_a, "seed"_a, "conditional"_a);
    m.def(
        "_renyi",
        [](double alpha, const mi::kernel_width& width, const mi::kernel_width& input_width, double label_width,
           const std::string& trace, long long exact_below, long long probes, long long lanczos_steps, double tolerance,
           std::uint64_t seed) {
            mi::renyi_options o;
            o.alpha = alpha;
            o.width = width;
            o.input_width = input_width;
            o.label_width = label_width;
            bool known = false;
            for (auto m : {mi::trace_method::automatic, mi::trace_method::exact, mi::trace_method::frobenius,
                           mi::trace_method::lanczos})
                if (trace == mi::to_string(m)) {
                    o.trace = m;
                    known = true;
                }
            if (!known) mi::detail::fail("mi::renyi", "options.trace", trace, "automatic, exact, frobenius or lanczos");
            o.exact_below = count(exact_below, "mi::renyi", "options.exact_below");
            o.probes = count(probes, "mi::renyi", "options.probes");
            o.lanczos_steps = count(lanczos_steps, "mi::renyi", "options.lanczos_steps");
            o.tolerance = tolerance;
            o.seed = seed;
            return make(mi::renyi(o));
        },
        "alpha"_a, "width"_a, "input_width"_a, "label_width"_a, "trace"_a, "exact_below"_a, "probes"_a,
        "lanczos_steps"_a, "tolerance"_a, "seed"_a);
    m.def(
        "_sliced",
        [](const std::string& per_slice, long long slices, long long k, std::uint64_t seed, long long neighbors,
           double noise_variance, const std::string& bound, long long bins) -> std::shared_ptr<estimator> {
            mi::sliced_options o;
            o.slices = count(slices, "mi::sliced", "options.slices");
            o.k = count(k, "mi::sliced", "options.k");
            o.seed = seed;
            if (per_slice == "ksg") {
                mi::ksg_options ko;
                ko.k = count(neighbors, "mi::ksg", "options.k");
                return make(mi::sliced<mi::ksg<>>(o, mi::ksg<>(ko)));
            }
            if (per_slice == "gaussian") return make(mi::sliced<mi::gaussian_slice>(o));
            if (per_slice == "kde") {
                if (bound != "upper" && bound != "lower")
                    mi::detail::fail("mi::kde_slice", "bound", bound, "upper or lower");
                const mi::kde_bound which = bound == "upper" ? mi::kde_bound::upper : mi::kde_bound::lower;
                return make(mi::sliced<mi::kde_slice<>>(o, mi::kde_slice<>(noise_variance, which)));
            }
            if (per_slice == "binning")
                return make(mi::sliced<mi::binning_slice<>>(o, mi::binning_slice<>(count(bins, "mi::binning_slice", "bins"))));
            mi::detail::fail("mi::sliced", "per_slice", per_slice, "ksg, gaussian, kde or binning");
        },
        "per_slice"_a, "slices"_a, "k"_a, "seed"_a, "neighbors"_a, "noise_variance"_a, "bound"_a, "bins"_a);
    m.def(
        "_weighted_kl",
        [](long long k, bool whiten, const mi::tie_policy& ties) {
            mi::weighted_kl_options o;
            o.k = count(k, "mi::weighted_kl", "options.k");
            o.whiten = whiten;
            o.ties = ties;
            return make(mi::weighted_kl<>(o));
        },
        "k"_a, "whiten"_a, "ties"_a);
    m.def(
        "_compressed",
        [](const std::string& projection, long long dims, std::uint64_t projection_seed, const std::string& inner,
           long long k, double noise, bool relative_noise, bool compress_input,
           std::uint64_t seed) -> std::shared_ptr<estimator> {
            mi::compressed_options o;
            o.noise = noise;
            o.relative_noise = relative_noise;
            o.compress_input = compress_input;
            o.seed = seed;
            const std::size_t m = count(dims, "mi::compressed", "dims");
            const auto with = [&](auto p) -> std::shared_ptr<estimator> {
                using P = decltype(p);
                if (inner == "weighted_kl") {
                    mi::weighted_kl_options w;
                    w.k = count(k, "mi::weighted_kl", "options.k");
                    return make(mi::compressed<P, mi::weighted_kl<>>(p, mi::weighted_kl<>(w), o));
                }
                if (inner == "ksg") {
                    mi::ksg_options ko;
                    ko.k = count(k, "mi::ksg", "options.k");
                    return make(mi::compressed<P, mi::ksg<>>(p, mi::ksg<>(ko), o));
                }
                mi::detail::fail("mi::compressed", "estimator", inner, "weighted_kl or ksg");
            };
            if (projection == "pca") return with(mi::pca(m));
            if (projection == "random") return with(mi::random_projection(m, projection_seed));
            mi::detail::fail("mi::compressed", "projection", projection, "pca or random");
        },
        "projection"_a, "dims"_a, "projection_seed"_a, "estimator"_a, "k"_a, "noise"_a, "relative_noise"_a,
        "compress_input"_a, "seed"_a);
    m.def(
        "_exact_counting",
        [](const std::string& repeats, long long max_levels) {
            mi::exact_counting_options o;
            if (repeats == "must_agree")
                o.repeats = mi::repeated_inputs::must_agree;
            else if (repeats == "counted")
                o.repeats = mi::repeated_inputs::counted;
            else
                mi::detail::fail("mi::exact_counting", "options.repeats", repeats, "must_agree or counted");
            if (max_levels < 0) mi::detail::fail("mi::exact_counting", "options.max_levels", max_levels, "0 (no check) or more");
            o.max_levels = static_cast<std::size_t>(max_levels);
            return make(mi::exact_counting(o));
        },
        "repeats"_a, "max_levels"_a);
    m.def(
        "_edge",
        [](double epsilon, std::vector<double> scales, long long bias_terms, double hash_factor, std::uint64_t seed) {
            mi::edge_options o;
            o.epsilon = epsilon;
            o.scales = std::move(scales);
            o.bias_terms = count(bias_terms, "mi::edge", "options.bias_terms");
            o.hash_factor = hash_factor;
            o.seed = seed;
            return make(mi::edge(o));
        },
        "epsilon"_a, "scales"_a, "bias_terms"_a, "hash_factor"_a, "seed"_a);

    // ---------------------------------------------------------------- timing (bench/compare_python.py)
    m.def(
        "_time_point",
        [](const estimator& e, const py::array& t, const mi::samples& s, long long repeats) {
            const any_view v = to_view(t, "t");
            return seconds_per_call(repeats, [&] { return e.point(v, s).ixt; });
        },
        "estimator"_a, "t"_a, "samples"_a, "repeats"_a);
    m.def(
        "_time_mi_labels",
        [](const estimator& e, const py::array& t, const mi::labels& y, long long repeats) {
            const any_view v = to_view(t, "t");
            return seconds_per_call(repeats, [&] { return first_value(e.mi_labels(v, y)); });
        },
        "estimator"_a, "t"_a, "labels"_a, "repeats"_a);

    // ---------------------------------------------------------------- weight-based estimators
    using dmat = py::array_t<double, py::array::c_style>;
    py::class_<mi::linear_gaussian>(m, "_LinearGaussian")
        .def(py::init<double>(), "noise_variance"_a)
        .def_property_readonly("name", &mi::linear_gaussian::name)
        .def_property_readonly("parameters", &mi::linear_gaussian::parameters)
        .def_property_readonly("noise_variance", &mi::linear_gaussian::noise_variance)
        .def(
            "ixt",
            [](const mi::linear_gaussian& g, const dmat& w, const std::optional<dmat>& sx) {
                const char* where = "mi::linear_gaussian::mutual_information";
                const auto wv = matrix_view(w, where, "W");
                if (!sx) return g.mutual_information(wv);
                return g.mutual_information(wv, matrix_view(*sx, where, "input_covariance"));
            },
            "w"_a, "input_covariance"_a)
        .def(
            "ity",
            [](const mi::linear_gaussian& g, const dmat& w, const std::optional<dmat>& sx, const dmat& wo,
               double s2o) {
                const char* where = "mi::linear_gaussian::mutual_information";
                const auto wv = matrix_view(w, where, "W");
                const auto wov = matrix_view(wo, where, "W_teacher");
                if (!sx) return g.mutual_information(wv, wov, s2o);
                return g.mutual_information(wv, matrix_view(*sx, where, "input_covariance"), wov, s2o);
            },
            "w"_a, "input_covariance"_a, "w_teacher"_a, "teacher_noise_variance"_a);
    m.def(
        "_generalization_error",
        [](const dmat& wo, const dmat& wt, const std::optional<dmat>& sx, double s2o) {
            const char* where = "mi::generalization_error";
            const auto a = matrix_view(wo, where, "W_teacher"), b = matrix_view(wt, where, "W_total");
            if (!sx) return mi::generalization_error(a, b, s2o);
            return mi::generalization_error(a, b, matrix_view(*sx, where, "input_covariance"), s2o);
        },
        "w_teacher"_a, "w_total"_a, "input_covariance"_a, "teacher_noise_variance"_a);
    py::class_<mi::gaussian_bound>(m, "_GaussianBound")
        .def(py::init<double, double>(), "layer_variance"_a, "noise_variance"_a)
        .def_property_readonly("name", &mi::gaussian_bound::name)
        .def_property_readonly("parameters", &mi::gaussian_bound::parameters)
        .def_property_readonly("layer_variance", &mi::gaussian_bound::layer_variance)
        .def_property_readonly("noise_variance", &mi::gaussian_bound::noise_variance)
        .def(
            "bound_spectrum",
            [](const mi::gaussian_bound& g, const std::vector<double>& a, const std::vector<double>& l) {
                return g.bound(a, l);
            },
            "a_diag"_a, "lambdas"_a)
        .def(
            "bound_weights",
            [](const mi::gaussian_bound& g, const dmat& w, const std::vector<dmat>& dws) {
                const char* where = "mi::gaussian_bound::bound";
                std::vector<mi::activation_view<const double>> d;
                d.reserve(dws.size());
                for (const auto& x : dws) d.push_back(matrix_view(x, where, "delta_w"));
                return g.bound(matrix_view(w, where, "W_star"), d);
            },
            "w_star"_a, "delta_w"_a);
}
