#include "core/error.h"
#include "model/torchpickleimpl.h"

#include <ATen/ATen.h>

#include <caffe2/serialize/inline_container.h>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <variant>

namespace pairtune {
namespace {

std::string conversionAdvice()
{
    return "Convert it once in Python: `from sentence_transformers import SentenceTransformer; "
           "SentenceTransformer(p).save(p)` for a sentence-transformers folder, or `from transformers "
           "import AutoModel; AutoModel.from_pretrained(p).save_pretrained(p, safe_serialization=True)` "
           "for a plain transformers folder (p = the folder); both write model.safetensors.";
}

[[noreturn]] void fail(const std::string &path, const std::string &why)
{
    throw Error(locate(path, 0, 0, "cannot read this pytorch_model.bin: " + why + ". " + conversionAdvice()));
}

// The values a state_dict pickle builds. Containers are shared, as pickle's memo shares them.
struct Value;
using Ref = std::shared_ptr<Value>;
struct Global
{
    std::string name; // "module.qualname"
};
struct Storage
{
    at::ScalarType dtype;
    std::string key;
    int64_t numel;
};
struct Dict
{
    std::vector<std::pair<Ref, Ref>> items;
};
struct Tuple
{
    std::vector<Ref> items;
};
struct Value
{
    std::variant<std::monostate, bool, int64_t, double, std::string, Tuple, Dict, Global, Storage, at::Tensor>
        v;
};

Ref make(auto value)
{
    auto r = std::make_shared<Value>();
    r->v = std::move(value);
    return r;
}

const std::map<std::string, at::ScalarType> &storageTypes()
{
    static const std::map<std::string, at::ScalarType> types
        = { { "torch.FloatStorage", at::kFloat }, { "torch.HalfStorage", at::kHalf },
              { "torch.BFloat16Storage", at::kBFloat16 }, { "torch.DoubleStorage", at::kDouble },
              { "torch.LongStorage", at::kLong }, { "torch.IntStorage", at::kInt },
              { "torch.ShortStorage", at::kShort }, { "torch.CharStorage", at::kChar },
              { "torch.ByteStorage", at::kByte }, { "torch.BoolStorage", at::kBool } };
    return types;
}

class Unpickler
{
public:
    Unpickler(
        const std::string &path, const std::string &data, caffe2::serialize::PyTorchStreamReader &reader)
        : m_path(path)
        , m_data(data)
        , m_reader(reader)
    { }

    Ref run()
    {
        while (true) {
            const unsigned char op = byte();
            switch (op) {
            case 0x80:
                byte();
                break; // PROTO
            case '.': // STOP
                if (m_stack.size() != 1)
                    bad("the pickle ends with a malformed stack");
                return m_stack.back();
            case 'c': { // GLOBAL
                const std::string module = line();
                m_stack.push_back(make(Global { module + "." + line() }));
                break;
            }
            case 'q':
                memoPut(byte());
                break; // BINPUT
            case 'r':
                memoPut(uint32());
                break; // LONG_BINPUT
            case 'h':
                memoGet(byte());
                break; // BINGET
            case 'j':
                memoGet(uint32());
                break; // LONG_BINGET
            case '(':
                m_marks.push_back(m_stack.size());
                break; // MARK
            case ')':
                m_stack.push_back(make(Tuple {}));
                break; // EMPTY_TUPLE
            case 0x85:
                tupleOf(1);
                break; // TUPLE1
            case 0x86:
                tupleOf(2);
                break; // TUPLE2
            case 0x87:
                tupleOf(3);
                break; // TUPLE3
            case 't':
                m_stack.push_back(make(Tuple { popToMark() }));
                break; // TUPLE
            case '}':
                m_stack.push_back(make(Dict {}));
                break; // EMPTY_DICT
            case 's': { // SETITEM
                Ref value = pop();
                Ref key = pop();
                dictAt(top()).items.emplace_back(key, value);
                break;
            }
            case 'u': { // SETITEMS
                std::vector<Ref> items = popToMark();
                if (items.size() % 2)
                    bad("SETITEMS with an odd number of items");
                Dict &d = dictAt(top());
                for (std::size_t i = 0; i < items.size(); i += 2)
                    d.items.emplace_back(items[i], items[i + 1]);
                break;
            }
            case 'X':
                m_stack.push_back(make(text(uint32())));
                break; // BINUNICODE
            case 0x8c:
                m_stack.push_back(make(text(byte())));
                break; // SHORT_BINUNICODE
            case 'J':
                m_stack.push_back(make(int64_t(int32_t(uint32()))));
                break; // BININT
            case 'K':
                m_stack.push_back(make(int64_t(byte())));
                break; // BININT1
            case 'M': { // BININT2
                const int64_t lo = byte();
                m_stack.push_back(make(lo | (int64_t(byte()) << 8)));
                break;
            }
            case 0x8a:
                m_stack.push_back(make(long1()));
                break; // LONG1
            case 0x88:
                m_stack.push_back(make(true));
                break; // NEWTRUE
            case 0x89:
                m_stack.push_back(make(false));
                break; // NEWFALSE
            case 'N':
                m_stack.push_back(make(std::monostate {}));
                break; // NONE
            case 'Q':
                persistentLoad();
                break; // BINPERSID
            case 'R':
                reduce();
                break; // REDUCE
            case 'b':
                pop();
                break; // BUILD: a state_dict's _metadata and a tensor's state: not needed
            default:
                bad("unsupported pickle opcode 0x" + hex(op));
            }
        }
    }

private:
    [[noreturn]] void bad(const std::string &why) { fail(m_path, why); }

    static std::string hex(unsigned v)
    {
        static const char digits[] = "0123456789abcdef";
        return std::string { digits[(v >> 4) & 15], digits[v & 15] };
    }

    unsigned char byte()
    {
        if (m_pos >= m_data.size())
            bad("the pickle is truncated");
        return static_cast<unsigned char>(m_data[m_pos++]);
    }
    uint32_t uint32()
    {
        uint32_t v = 0;
        for (int i = 0; i < 4; ++i)
            v |= uint32_t(byte()) << (8 * i);
        return v;
    }
    int64_t long1()
    {
        const unsigned n = byte();
        if (n > 8)
            bad("an integer too large");
        uint64_t v = 0;
        for (unsigned i = 0; i < n; ++i)
            v |= uint64_t(byte()) << (8 * i);
        if (n > 0 && n < 8 && (v >> (8 * n - 1)) & 1)
            v |= ~uint64_t(0) << (8 * n); // sign-extend
        return int64_t(v);
    }
    std::string text(std::size_t n)
    {
        if (n > m_data.size() - m_pos)
            bad("the pickle is truncated");
        std::string s = m_data.substr(m_pos, n);
        m_pos += n;
        return s;
    }
    std::string line()
    {
        const std::size_t end = m_data.find('\n', m_pos);
        if (end == std::string::npos)
            bad("the pickle is truncated");
        std::string s = m_data.substr(m_pos, end - m_pos);
        m_pos = end + 1;
        return s;
    }

    Ref pop()
    {
        if (m_stack.empty() || (!m_marks.empty() && m_stack.size() <= m_marks.back()))
            bad("the pickle pops an empty stack");
        Ref r = m_stack.back();
        m_stack.pop_back();
        return r;
    }
    Ref &top()
    {
        if (m_stack.empty())
            bad("the pickle reads an empty stack");
        return m_stack.back();
    }
    std::vector<Ref> popToMark()
    {
        if (m_marks.empty())
            bad("the pickle has no MARK");
        const std::size_t mark = m_marks.back();
        m_marks.pop_back();
        std::vector<Ref> items(m_stack.begin() + std::ptrdiff_t(mark), m_stack.end());
        m_stack.resize(mark);
        return items;
    }
    void tupleOf(std::size_t n)
    {
        std::vector<Ref> items(n);
        for (std::size_t i = n; i-- > 0;)
            items[i] = pop();
        m_stack.push_back(make(Tuple { std::move(items) }));
    }
    void memoPut(uint32_t index) { m_memo[index] = top(); }
    void memoGet(uint32_t index)
    {
        const auto it = m_memo.find(index);
        if (it == m_memo.end())
            bad("the pickle refers to an unknown memo entry");
        m_stack.push_back(it->second);
    }
    Dict &dictAt(Ref &r)
    {
        if (auto *d = std::get_if<Dict>(&r->v))
            return *d;
        bad("the pickle sets items on something that is not a dictionary");
    }
    template <typename T> T &as(const Ref &r, const char *what)
    {
        if (auto *v = std::get_if<T>(&r->v))
            return *v;
        bad(std::string("unexpected pickle contents where ") + what + " should be");
    }

    // ('storage', torch.FloatStorage, key, location, numel): the tensor bytes in data/<key>.
    void persistentLoad()
    {
        const Ref held = pop(); // keeps the tuple alive while we read it
        const Tuple &pid = as<Tuple>(held, "a storage reference");
        if (pid.items.size() != 5 || as<std::string>(pid.items[0], "\"storage\"") != "storage")
            bad("unexpected persistent id");
        const std::string type = as<Global>(pid.items[1], "a storage type").name;
        const auto it = storageTypes().find(type);
        if (it == storageTypes().end())
            bad("unsupported storage type " + type);
        const int64_t numel = as<int64_t>(pid.items[4], "a storage size");
        if (numel < 0)
            bad("a negative storage size");
        m_stack.push_back(
            make(Storage { it->second, as<std::string>(pid.items[2], "a storage key"), numel }));
    }

    void reduce()
    {
        Ref args = pop();
        const std::string callable = as<Global>(pop(), "a callable").name;
        const std::vector<Ref> &a = as<Tuple>(args, "arguments").items;
        if (callable == "collections.OrderedDict") {
            m_stack.push_back(make(Dict {}));
        } else if (callable == "torch._utils._rebuild_tensor_v2") {
            if (a.size() < 4)
                bad("_rebuild_tensor_v2 with too few arguments");
            m_stack.push_back(make(rebuildTensor(
                as<Storage>(a[0], "a storage"), as<int64_t>(a[1], "an offset"), ints(a[2]), ints(a[3]))));
        } else if (callable == "torch.jit._pickle.restore_type_tag") {
            // LibTorch's pickle_save (and so Pairtune's own pytorch_model.bin) tags a typed dict.
            if (a.empty())
                bad("restore_type_tag without a value");
            m_stack.push_back(a[0]);
        } else if (callable == "torch._utils._rebuild_parameter") {
            if (a.empty())
                bad("_rebuild_parameter without a tensor");
            m_stack.push_back(make(as<at::Tensor>(a[0], "a tensor")));
        } else {
            bad("it calls " + callable
                + ", which a state_dict does not need (Pairtune runs no code from a file)");
        }
    }
    std::vector<int64_t> ints(const Ref &r)
    {
        std::vector<int64_t> out;
        for (const Ref &item : as<Tuple>(r, "a shape").items)
            out.push_back(as<int64_t>(item, "a dimension"));
        return out;
    }

    at::Tensor rebuildTensor(const Storage &s, int64_t offset, const std::vector<int64_t> &size,
        const std::vector<int64_t> &stride)
    {
        if (size.size() != stride.size() || offset < 0)
            bad("a tensor with inconsistent size and stride");
        // The furthest element the view reaches must lie inside the storage.
        int64_t last = offset;
        bool empty = false;
        for (std::size_t i = 0; i < size.size(); ++i) {
            if (size[i] < 0 || stride[i] < 0 || size[i] > (int64_t(1) << 40)
                || stride[i] > (int64_t(1) << 40))
                bad("a tensor with a negative or huge size or stride");
            if (size[i] == 0)
                empty = true;
            else
                last += (size[i] - 1) * stride[i];
        }
        if (empty)
            return at::empty(size, at::TensorOptions().dtype(s.dtype));
        if (last >= s.numel)
            bad("a tensor reaches past its storage");
        at::Tensor storage = loadStorage(s);
        return storage.as_strided(size, stride, offset).clone();
    }

    at::Tensor loadStorage(const Storage &s)
    {
        if (const auto it = m_storages.find(s.key); it != m_storages.end())
            return it->second;
        const std::string record = "data/" + s.key;
        if (!m_reader.hasRecord(record))
            bad("the archive has no " + record);
        auto [bytes, size] = m_reader.getRecord(record);
        const std::size_t need = std::size_t(s.numel) * c10::elementSize(s.dtype);
        if (size < need)
            bad(record + " holds " + std::to_string(size) + " bytes, fewer than its " + std::to_string(need));
        at::Tensor t = at::empty({ s.numel }, at::TensorOptions().dtype(s.dtype));
        std::memcpy(t.data_ptr(), bytes.get(), need);
        m_storages.emplace(s.key, t);
        return t;
    }

    std::string m_path;
    const std::string &m_data;
    caffe2::serialize::PyTorchStreamReader &m_reader;
    std::size_t m_pos = 0;
    std::vector<Ref> m_stack;
    std::vector<std::size_t> m_marks;
    std::map<uint32_t, Ref> m_memo;
    std::map<std::string, at::Tensor> m_storages;
};

} // namespace

std::vector<std::pair<std::string, at::Tensor>> readTorchStateDict(const std::string &path)
{
    std::string head(4, '\0');
    {
        std::ifstream in(path, std::ios::binary);
        if (!in)
            throw Error(locate(path, 0, 0, "cannot open the file"), Error::Kind::Io);
        in.read(head.data(), 4);
        head.resize(std::size_t(in.gcount()));
    }
    if (head != std::string("PK\x03\x04", 4))
        fail(path,
            head.size() >= 2 && head[0] == '\x80'
                ? "it is in the legacy format torch.save wrote before PyTorch 1.6"
                : "it is not a torch.save archive");
    std::unique_ptr<caffe2::serialize::PyTorchStreamReader> reader;
    std::string pickle;
    try {
        reader = std::make_unique<caffe2::serialize::PyTorchStreamReader>(path);
        auto [bytes, size] = reader->getRecord("data.pkl");
        pickle.assign(static_cast<const char *>(bytes.get()), size);
    } catch (const c10::Error &e) {
        fail(path, "the archive is damaged (" + e.msg().substr(0, e.msg().find('\n')) + ")");
    }
    Unpickler unpickler(path, pickle, *reader);
    const Ref root = [&] {
        try {
            return unpickler.run();
        } catch (const c10::Error &e) {
            fail(path, "the archive is damaged (" + e.msg().substr(0, e.msg().find('\n')) + ")");
        }
    }();
    const Dict *dict = std::get_if<Dict>(&root->v);
    if (!dict)
        fail(path, "it does not hold a state_dict (a dictionary of tensors)");
    std::vector<std::pair<std::string, at::Tensor>> out;
    for (const auto &[key, value] : dict->items) {
        const std::string *name = std::get_if<std::string>(&key->v);
        const at::Tensor *tensor = std::get_if<at::Tensor>(&value->v);
        if (!name || !tensor)
            fail(path, "it does not hold a state_dict (a dictionary of tensors)");
        out.emplace_back(*name, *tensor);
    }
    return out;
}

} // namespace pairtune
