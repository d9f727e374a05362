#include "core/io/safetensors.h"

#include <cstring>

#include <torch/torch.h>

#include "core/errors.h"
#include "core/validation/message_text.h"
#include "core/io/atomic_file.h"
#include "core/io/mapped_file.h"
#include "core/io/safetensors_format.h"

namespace dq {

namespace {

torch::ScalarType toTorch(safetensors::DType dtype) {
    using safetensors::DType;
    switch (dtype) {
        case DType::F64: return torch::kFloat64;
        case DType::F32: return torch::kFloat32;
        case DType::F16: return torch::kFloat16;
        case DType::BF16: return torch::kBFloat16;
        case DType::I64: return torch::kInt64;
        case DType::I32: return torch::kInt32;
        case DType::I16: return torch::kInt16;
        case DType::I8: return torch::kInt8;
        case DType::U8: return torch::kUInt8;
        case DType::BOOL: return torch::kBool;
    }
    return torch::kFloat32;
}

safetensors::DType fromTorch(torch::ScalarType type, const std::string& key, const std::string& path) {
    using safetensors::DType;
    switch (type) {
        case torch::kFloat64: return DType::F64;
        case torch::kFloat32: return DType::F32;
        case torch::kFloat16: return DType::F16;
        case torch::kBFloat16: return DType::BF16;
        case torch::kInt64: return DType::I64;
        case torch::kInt32: return DType::I32;
        case torch::kInt16: return DType::I16;
        case torch::kInt8: return DType::I8;
        case torch::kUInt8: return DType::U8;
        case torch::kBool: return DType::BOOL;
        default:
            throw Error("Cannot save tensor " + inQuotes(key, 100) + " to '" + path + "': its dtype " +
                        std::string(c10::toString(type)) + " has no safetensors equivalent.");
    }
}

}  // namespace

const torch::Tensor& TensorFile::at(const std::string& key, const std::string& source) const {
    auto it = tensors.find(key);
    if (it == tensors.end())
        throw Error("'" + source + "' has no tensor named " + inQuotes(key, 100) + ".");
    return it->second;
}

TensorFile loadSafetensors(const std::string& path) {
    std::shared_ptr<MappedFile> file = MappedFile::open(path);
    const safetensors::Header header = safetensors::parseFile(file->data(), file->size(), path);

    TensorFile result;
    result.metadata = header.metadata;
    unsigned char* base = file->mutableData() + header.dataOffset;
    for (const auto& entry : header.tensors) {
        const torch::ScalarType type = toTorch(entry.dtype);
        const auto options = torch::TensorOptions().dtype(type);
        unsigned char* ptr = base + entry.begin;
        torch::Tensor tensor;
        const bool aligned = reinterpret_cast<uintptr_t>(ptr) % safetensors::elementSize(entry.dtype) == 0;
        if (entry.end == entry.begin) {
            tensor = torch::empty(entry.shape, options);
        } else if (aligned) {
            // The deleter keeps the mapping alive as long as any tensor uses it.
            tensor = torch::from_blob(ptr, entry.shape, [file](void*) {}, options);
        } else {
            tensor = torch::empty(entry.shape, options);
            std::memcpy(tensor.data_ptr(), ptr, entry.end - entry.begin);
        }
        result.tensors.emplace(entry.name, std::move(tensor));
    }
    return result;
}

void saveSafetensors(const std::string& path, const std::map<std::string, torch::Tensor>& tensors,
                     const std::map<std::string, std::string>& metadata) {
    std::vector<safetensors::TensorEntry> entries;
    std::vector<torch::Tensor> data;
    uint64_t cursor = 0;
    for (const auto& [key, tensor] : tensors) {
        safetensors::TensorEntry entry;
        entry.name = key;
        entry.dtype = fromTorch(tensor.scalar_type(), key, path);
        entry.shape = tensor.sizes().vec();
        torch::Tensor cpu = tensor.detach().to(torch::kCPU).contiguous();
        entry.begin = cursor;
        entry.end = cursor + static_cast<uint64_t>(cpu.numel()) * cpu.element_size();
        cursor = entry.end;
        entries.push_back(std::move(entry));
        data.push_back(std::move(cpu));
    }
    const std::string header = safetensors::serializeHeader(entries, metadata);
    writeFileAtomically(path, [&](std::ostream& out) {
        unsigned char prefix[8];
        uint64_t length = header.size();
        for (int i = 0; i < 8; ++i) prefix[i] = static_cast<unsigned char>((length >> (8 * i)) & 0xff);
        out.write(reinterpret_cast<const char*>(prefix), 8);
        out.write(header.data(), static_cast<std::streamsize>(header.size()));
        for (const auto& tensor : data)
            out.write(static_cast<const char*>(tensor.data_ptr()),
                      static_cast<std::streamsize>(tensor.numel() * tensor.element_size()));
    });
}

}  // namespace dq
