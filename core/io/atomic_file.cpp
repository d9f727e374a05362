#include "core/io/atomic_file.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fcntl.h>
#include <unistd.h>

#include "core/errors.h"

namespace dq {

void writeFileAtomically(const std::string& path, const std::function<void(std::ostream&)>& write) {
    const std::string tmp = path + ".tmp-" + std::to_string(::getpid());
    try {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out) throw Error("Cannot write '" + path + "': " + std::strerror(errno) + ".");
        write(out);
        out.flush();
        if (!out) throw Error("Writing '" + path + "' failed (disk full?).");
        out.close();
        // Flush to disk before the rename so a crash cannot leave an empty file.
        const int fd = ::open(tmp.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
            ::fsync(fd);
            ::close(fd);
        }
        if (std::rename(tmp.c_str(), path.c_str()) != 0)
            throw Error("Cannot replace '" + path + "': " + std::strerror(errno) + ".");
    } catch (...) {
        std::remove(tmp.c_str());
        throw;
    }
}

void writeTextFileAtomically(const std::string& path, const std::string& text) {
    writeFileAtomically(path, [&](std::ostream& out) { out.write(text.data(), static_cast<std::streamsize>(text.size())); });
}

std::string readTextFile(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error("Cannot read '" + path + "': " + std::strerror(errno) + ".");
    std::ostringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

}  // namespace dq
