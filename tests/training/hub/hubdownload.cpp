// A tiny program around snapshotDownload, for tst_hubclient's two-processes-at-once test:
//   tst_hubdownload ENDPOINT CACHE_DIR REPO_ID [REVISION]
// Prints the snapshot folder on stdout; exits 1 with the error on stderr.

#include "hub/hubclient.h"

#include <cstdio>
#include <exception>

int main(int argc, char **argv)
{
    if (argc < 4 || argc > 5) {
        std::fprintf(stderr, "usage: %s ENDPOINT CACHE_DIR REPO_ID [REVISION]\n", argv[0]);
        return 2;
    }
    pairtune::hub::HubSettings settings;
    settings.endpoint = argv[1];
    settings.cacheDir = argv[2];
    settings.timeoutSeconds = 5;
    pairtune::hub::RepoRef repo { argv[3], argc == 5 ? argv[4] : "main" };
    try {
        std::printf("%s\n", pairtune::hub::snapshotDownload(settings, repo, {}).c_str());
    } catch (const std::exception &e) {
        std::fprintf(stderr, "%s\n", e.what());
        return 1;
    }
    return 0;
}
