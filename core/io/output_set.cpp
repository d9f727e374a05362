#include "core/io/output_set.h"

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <system_error>

#include "core/errors.h"

namespace dq {

namespace fs = std::filesystem;

namespace {

std::string temporaryName(const fs::path& destination) {
    static std::atomic<int> counter{0};
    const fs::path folder = destination.has_parent_path() ? destination.parent_path() : fs::path(".");
    return (folder / ("." + destination.filename().string() + ".partial-" + std::to_string(::getpid()) + "-" +
                      std::to_string(counter++)))
        .string();
}

void requireWritableFolder(const fs::path& folder, const std::string& output) {
    const fs::path dir = folder.empty() ? fs::path(".") : folder;
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
        throw Error("Cannot write '" + output + "': folder '" + dir.string() + "' does not exist; create it first.");
    if (::access(dir.c_str(), W_OK) != 0)
        throw Error("Cannot write '" + output + "': folder '" + dir.string() + "' is not writable.");
}

}  // namespace

void OutputSet::rejectDuplicate(const std::string& destination) const {
    const fs::path wanted = fs::absolute(destination).lexically_normal();
    for (const Entry& e : entries_)
        if (fs::absolute(e.destination).lexically_normal() == wanted)
            throw Error("Two outputs of this command are both '" + destination + "'; give each its own path.");
}

std::string OutputSet::stage(const std::string& path) {
    const fs::path destination(path);
    if (destination.filename().empty()) throw Error("Output path '" + path + "' names a folder, not a file.");
    std::error_code ec;
    if (fs::is_directory(destination, ec))
        throw Error("Cannot write '" + path + "': it is a folder; name a file.");
    requireWritableFolder(destination.parent_path(), path);
    rejectDuplicate(path);
    entries_.push_back({temporaryName(destination), path, false});
    return entries_.back().temporary;
}

std::string OutputSet::stageFolder(const std::string& folder) {
    fs::path destination(folder);
    if (destination.filename().empty()) destination = destination.parent_path();
    std::error_code ec;
    if (fs::exists(destination, ec) && !fs::is_directory(destination, ec))
        throw Error("Cannot write folder '" + folder + "': a file of that name exists.");
    // The parent must exist so the temporary can sit beside the destination
    // (same file system, so the final moves are renames).
    const fs::path parent = destination.has_parent_path() ? destination.parent_path() : fs::path(".");
    if (!fs::exists(parent, ec)) {
        fs::path topmost = parent;
        while (topmost.has_parent_path() && topmost.parent_path() != topmost && !fs::exists(topmost.parent_path(), ec))
            topmost = topmost.parent_path();
        fs::create_directories(parent, ec);
        if (ec) throw Error("Cannot create folder '" + parent.string() + "': " + ec.message() + ".");
        createdFolders_.push_back(topmost.string());
    }
    requireWritableFolder(parent, folder);
    rejectDuplicate(destination.string());
    Entry entry{temporaryName(destination), destination.string(), true};
    fs::create_directories(entry.temporary, ec);
    if (ec) throw Error("Cannot create a temporary folder beside '" + folder + "': " + ec.message() + ".");
    entries_.push_back(entry);
    return entry.temporary;
}

void OutputSet::commit() {
    for (const Entry& e : entries_) {
        std::error_code ec;
        if (!e.folder) {
            if (!fs::exists(e.temporary, ec)) continue;  // an optional output that was not written
            fs::rename(e.temporary, e.destination, ec);
            if (ec) throw Error("Cannot move the finished '" + e.destination + "' into place: " + ec.message() + ".");
            continue;
        }
        fs::create_directories(e.destination, ec);
        if (ec) throw Error("Cannot create folder '" + e.destination + "': " + ec.message() + ".");
        for (const fs::directory_entry& item : fs::directory_iterator(e.temporary)) {
            const fs::path target = fs::path(e.destination) / item.path().filename();
            fs::rename(item.path(), target, ec);
            if (ec) throw Error("Cannot move the finished '" + target.string() + "' into place: " + ec.message() + ".");
        }
        fs::remove(e.temporary, ec);
    }
    committed_ = true;
}

OutputSet::~OutputSet() {
    for (const Entry& e : entries_) {
        std::error_code ec;
        fs::remove_all(e.temporary, ec);  // after commit: only empty leftovers, if any
    }
    if (!committed_)
        for (auto it = createdFolders_.rbegin(); it != createdFolders_.rend(); ++it) {
            std::error_code ec;
            fs::remove_all(*it, ec);
        }
}

}  // namespace dq
