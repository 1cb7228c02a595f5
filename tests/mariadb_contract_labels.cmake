# Included by CTest after the discovered tests (tests/CMakeLists.txt): the MariaDB instantiation of
# the contract suites carries both labels.
foreach(test IN LISTS WX_MARIADB_CONTRACT_TESTS)
    set_tests_properties("${test}" PROPERTIES LABELS "contract;mysql")
endforeach()
