# vs_module(NAME SOURCES... [DEPS libs...]): a static library vs_NAME.
function(vs_module name)
  cmake_parse_arguments(M "" "" "SOURCES;DEPS" ${ARGN})
  add_library(vs_${name} STATIC ${M_SOURCES})
  target_include_directories(vs_${name} PUBLIC ${PROJECT_SOURCE_DIR}/include
    PRIVATE ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(vs_${name} PUBLIC ${M_DEPS})
endfunction()

# vs_add_test(NAME SOURCES... LIBS libs... [TIMEOUT s]): a cmocka test binary in CTest.
# Tests run with VAXSYNC_REFDATA pointing at ../shared/data (or $VAXSYNC_REFDATA).
function(vs_add_test name)
  cmake_parse_arguments(T "" "TIMEOUT" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/include
    ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/tests)
  target_link_libraries(${name} PRIVATE ${T_LIBS} PkgConfig::CMOCKA)
  add_test(NAME ${name} COMMAND ${name})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  set_tests_properties(${name} PROPERTIES TIMEOUT ${T_TIMEOUT}
    ENVIRONMENT "VAXSYNC_REFDATA=${VS_REFDATA};VS_TEST_DATA=${PROJECT_SOURCE_DIR}/tests;VS_BIN=$<TARGET_FILE_DIR:vaxsync>")
endfunction()

# vs_test_cost(NAME:SECONDS...): CTest starts the longest tests first (descending
# COST) in a fresh build; rough seconds under ASan on 2 cores. Tests not
# registered (a missing optional tool) are passed over.
function(vs_test_cost)
  foreach(pair ${ARGN})
    string(REPLACE ":" ";" pair ${pair})
    list(GET pair 0 t)
    list(GET pair 1 c)
    if(TEST ${t})
      set_tests_properties(${t} PROPERTIES COST ${c})
    endif()
  endforeach()
endfunction()

# vs_add_fuzz(NAME SOURCE LIBS...): a libFuzzer target (only with VS_FUZZ).
function(vs_add_fuzz name src)
  if(VS_FUZZ)
    add_executable(${name} ${src})
    target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/include ${PROJECT_SOURCE_DIR}/src)
    target_compile_options(${name} PRIVATE -fsanitize=fuzzer)
    target_link_options(${name} PRIVATE -fsanitize=fuzzer)
    target_link_libraries(${name} PRIVATE ${ARGN})
  endif()
endfunction()

if(DEFINED ENV{VAXSYNC_REFDATA})
  set(VS_REFDATA "$ENV{VAXSYNC_REFDATA}")
else()
  get_filename_component(VS_REFDATA "${PROJECT_SOURCE_DIR}/../shared/data" ABSOLUTE)
endif()
