// The CTest fixture's MariaDB (tests/CMakeLists.txt): `start STATE_FILE` installs and starts a
// server that outlives this process and writes its URL, pid and directory to STATE_FILE (a
// server left over from an interrupted run is stopped first); `stop STATE_FILE` stops it and
// removes its directory.
#include <exception>
#include <iostream>
#include <string>

#include "support/mariadb_server.hpp"

int main(int argc, char** argv) {
    std::string const command = argc == 3 ? argv[1] : "";
    if (command != "start" && command != "stop") {
        std::cerr << "usage: wx_mariadb_test_server start|stop STATE_FILE\n";
        return 2;
    }
    std::filesystem::path const state = argv[2];
    try {
        wx::test::MariadbServer::stop_detached(state);
        if (command == "start") {
            wx::test::MariadbServer server;
            server.detach(state);
            std::cout << "MariaDB test server on 127.0.0.1:" << server.port() << " (state in " << state.string()
                      << ")\n";
        }
        return 0;
    } catch (std::exception const& e) {
        std::cerr << "wx_mariadb_test_server " << command << ": " << e.what() << "\n";
        return 1;
    }
}
