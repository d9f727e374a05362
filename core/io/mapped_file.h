#pragma once
// Read-only view of a whole file through mmap (copy-on-write, so tensors made
// from it may be modified in memory without touching the file).
#include <cstdint>
#include <memory>
#include <string>

namespace dq {

class MappedFile {
public:
    // Throws dq::Error naming the path when the file cannot be opened or mapped.
    static std::shared_ptr<MappedFile> open(const std::string& path);
    ~MappedFile();
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;

    const unsigned char* data() const { return data_; }
    unsigned char* mutableData() { return data_; }
    uint64_t size() const { return size_; }
    const std::string& path() const { return path_; }

private:
    MappedFile() = default;
    unsigned char* data_ = nullptr;
    uint64_t size_ = 0;
    std::string path_;
};

}  // namespace dq
