// The seed's example (posix-mq's documentation), in C++ with pmq.hpp: create a
// queue of 10 messages of 1000 bytes, send "Hello, world!", receive it, print
// both.  The queue is unlinked as soon as it is open.
#include <pmq/pmq.hpp>

#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <random>
#include <string>

int main()
{
    std::cout << (pmq_supported() ? "#t" : "#f") << '\n';
    // The seed used a random number below 100; the pid keeps runs apart.
    const std::string name = "/mqtest" + std::to_string(std::random_device{}() % 100) + "-" +
                             std::to_string(::getpid());
    const std::string text = "Hello, world!";
    try {
        auto q = pmq::queue::create(name, pmq::access::read_write,
                                    {/*max_messages*/ 10, /*message_size*/ 1000});
        // The queue lives on while q holds it: unlinking now leaves nothing
        // behind, whatever happens next.
        pmq::queue::unlink(name);
        std::cout << "sending " << text << '\n';
        q.send(text);
        const pmq::message m = q.receive();
        std::cout << "received " << m.data << " (priority " << m.priority << ")\n";
    } catch (const pmq::error &e) {
        std::cerr << "hello: " << e.what() << '\n';
        return EXIT_FAILURE;
    }
    return EXIT_SUCCESS;
}
