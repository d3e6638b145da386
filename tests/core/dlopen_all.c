#define _GNU_SOURCE /* dlvsym */
/* Other runtimes dlopen libpmq.so.1: every function of the version map must be
 * found with dlsym, and the library must work when reached only that way.
 * Usage: dlopen-all PATH-TO-libpmq.so.1 PATH-TO-libpmq.map */
#include <pmq/pmq.h>

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    char line[256];
    char name[128];
    int found = 0, missing = 0;
    void *lib;
    FILE *map;
    const char *(*version)(void);

    if (argc != 3) {
        fprintf(stderr, "usage: %s LIBRARY MAP\n", argv[0]);
        return 2;
    }
    lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL) {
        fprintf(stderr, "dlopen(%s): %s\n", argv[1], dlerror());
        return 1;
    }
    map = fopen(argv[2], "r");
    if (map == NULL) {
        perror(argv[2]);
        return 1;
    }
    while (fgets(line, sizeof line, map) != NULL) {
        if (sscanf(line, " %127[a-z_0-9];", name) == 1 && strncmp(name, "pmq_", 4) == 0) {
            if (dlvsym(lib, name, "PMQ_1.0") == NULL) {
                fprintf(stderr, "dlvsym(%s@PMQ_1.0) failed\n", name);
                ++missing;
            } else {
                ++found;
            }
        }
    }
    fclose(map);
    *(void **)&version = dlsym(lib, "pmq_version_string");
    if (version == NULL || strcmp(version(), PMQ_VERSION_STRING) != 0) {
        fprintf(stderr, "pmq_version_string through dlsym is wrong\n");
        ++missing;
    }
    printf("%d functions found, %d missing\n", found, missing);
    dlclose(lib);
    return missing == 0 && found >= 24 ? 0 : 1;
}
