/* Runtimes load and unload libpmq again and again (dlopen/dlclose).  The
 * name-based calls keep descriptors between calls; unloading must not leave
 * them behind, or each cycle leaks more: after 100 cycles of load,
 * pmq_send_to + pmq_recv_from, unload, the process may hold at most as many
 * descriptors more than before as the cache keeps (16, README).
 * Usage: dlopen-cycles PATH-TO-libpmq.so.1 */
#include <pmq/pmq.h>

#include <dirent.h>
#include <dlfcn.h>
#include <mqueue.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

enum { cycles = 100, cache_capacity = 16 };

static int open_descriptors(void)
{
    int count = 0;
    DIR *dir = opendir("/proc/self/fd");
    if (dir == NULL)
        return -1;
    for (struct dirent *entry; (entry = readdir(dir)) != NULL;)
        if (entry->d_name[0] != '.')
            ++count;
    closedir(dir);
    return count - 1; /* the directory's own descriptor */
}

struct api {
    int (*create)(const char *, unsigned, unsigned, int64_t, int64_t, pmq_queue **);
    int (*close)(pmq_queue *);
    int (*send_to)(const char *, const void *, size_t, unsigned, unsigned);
    int (*recv_from)(const char *, void *, size_t, unsigned *, unsigned);
    const char *(*last_error)(void);
};

static int load(void *lib, struct api *api)
{
    *(void **)&api->create = dlsym(lib, "pmq_create");
    *(void **)&api->close = dlsym(lib, "pmq_close");
    *(void **)&api->send_to = dlsym(lib, "pmq_send_to");
    *(void **)&api->recv_from = dlsym(lib, "pmq_recv_from");
    *(void **)&api->last_error = dlsym(lib, "pmq_last_error");
    return api->create && api->close && api->send_to && api->recv_from &&
           api->last_error;
}

/* One cycle: load, create the queue if needed, send and receive by name, unload. */
static int cycle(const char *path, const char *name)
{
    struct api api;
    char buf[16];
    pmq_queue *q = NULL;
    void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL) {
        fprintf(stderr, "dlopen(%s): %s\n", path, dlerror());
        return -1;
    }
    int rc = load(lib, &api) ? 0 : -1;
    if (rc == 0 && (api.create(name, PMQ_READ | PMQ_WRITE, 0600, 2, 16, &q) != 0 ||
                    api.close(q) != 0 || api.send_to(name, "x", 1, 0, 0) != 0 ||
                    api.recv_from(name, buf, sizeof buf, NULL, 0) != 1)) {
        fprintf(stderr, "%s\n", api.last_error());
        rc = -1;
    }
    dlclose(lib);
    return rc;
}

int main(int argc, char **argv)
{
    char name[64];
    if (argc != 2) {
        fprintf(stderr, "usage: %s LIBRARY\n", argv[0]);
        return 2;
    }
    snprintf(name, sizeof name, "/pmqtest-dlopen-cycles-%ld", (long)getpid());
    /* The first cycle lets the loader's own first-load descriptors settle. */
    int failed = cycle(argv[1], name);
    const int before = open_descriptors();
    for (int i = 1; i < cycles && !failed; ++i)
        failed = cycle(argv[1], name);
    const int after = open_descriptors();
    mq_unlink(name);
    if (failed)
        return 1;
    printf("%d cycles of dlopen, pmq_send_to + pmq_recv_from, dlclose: %d descriptors before, "
           "%d after\n", cycles, before, after);
    if (before < 0 || after - before > cache_capacity) {
        fprintf(stderr, "FAIL: %d descriptors more after the cycles (at most %d allowed)\n",
                after - before, cache_capacity);
        return 1;
    }
    return 0;
}
