#define _GNU_SOURCE /* dlvsym */
/* Other runtimes dlopen libpmq.so.1: every function of the version map must be
 * found with dlvsym under the node the map puts it in, and the library must
 * work when reached only that way.
 * Usage: dlopen-all PATH-TO-libpmq.so.1 PATH-TO-libpmq.map */
#include <pmq/pmq.h>

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
    char line[256];
    char name[128];
    char node[32] = "";
    char number[16];
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
        if (sscanf(line, "PMQ_%15[0-9.] {", number) == 1)
            snprintf(node, sizeof node, "PMQ_%s", number);
        if (sscanf(line, " %127[a-z_0-9];", name) == 1 && strncmp(name, "pmq_", 4) == 0) {
            if (dlvsym(lib, name, node) == NULL) {
                fprintf(stderr, "dlvsym(%s@%s) failed\n", name, node[0] ? node : "(no node)");
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
    return missing == 0 && found >= 29 ? 0 : 1;
}
