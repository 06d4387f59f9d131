"""rename-identifiers: which names change, which never do, and that programs still behave."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from metacompress.errors import UsageError
from metacompress.relations import transform
from metacompress.code.name_styles import switch_case
from metacompress.code.parsing import ParsedCode, error_signature
from metacompress.code.analysis import local_variables

from benchmark_snippets import distinct_snippets
from corpus_runner import corpus_programs, run_programs, toolchain_missing
from relation_exec import assert_same_behaviour


def rename(code: str, language: str, seed: int = 0, **options: str):
    return transform(code, language, "rename-identifiers", seed=seed, **options)


def renamed(code: str, language: str, **options: str) -> str:
    rewrite = rename(code, language, **options)
    assert rewrite.applied, rewrite.reason
    return rewrite.code


def words(code: str) -> set[str]:
    return set(re.findall(r"\w+", code))


# --- Java -----------------------------------------------------------------------------------

JAVA_FIELD = """class A {
  int x;
  void m(int size) {
    x = 1;
    int x = size;
    this.x = x + list.size();
    other.x = x;
  }
}"""


def test_java_local_shadowing_a_field_is_renamed_but_the_field_is_not():
    out = renamed(JAVA_FIELD, "java")
    assert "    x = 1;" in out  # the field, before the local exists
    assert "int var1 = var0;" in out
    assert "this.x = var1 + list.size();" in out  # field access and method name untouched
    assert "other.x = var1;" in out
    assert "int x;" in out


def test_java_labels_method_names_and_types_keep_their_names():
    code = """int count(int[] data) {
  int total = 0;
  outer: for (int i : data) { if (i < 0) continue outer; total += Math.abs(i); }
  return total;
}"""
    out = renamed(code, "java")
    assert "outer:" in out and "continue outer;" in out
    assert "Math.abs(" in out and "int count(int[] var0)" in out
    assert "for (int var2 : var0)" in out


def test_java_lambda_catch_and_resource_variables_are_renamed():
    code = """void m(List<String> names) {
  names.forEach(n -> System.out.println(n));
  try (Reader r = open()) { r.read(); } catch (IOException e) { e.printStackTrace(); }
}"""
    out = renamed(code, "java")
    assert not {"names", "n", "r", "e"} & words(out)


def test_java_loop_iterable_and_catch_see_fields_not_the_new_locals():
    code = """void m() {
  for (String name : name) { System.out.println(name); }
  try (Reader in = open()) { in.read(); } catch (IOException e) { in = null; }
}"""
    out = renamed(code, "java")
    assert re.search(r"for \(String (var\d+) : name\) \{ System.out.println\(\1\); \}", out)
    assert "in = null;" in out and "Reader in " not in out


def test_java_local_used_inside_an_anonymous_class_keeps_its_name():
    code = """void m(int limit) {
  int seen = 0;
  Runnable job = new Runnable() { public void run() { System.out.println(limit); } };
  seen++;
}"""
    rewrite = rename(code, "java")
    assert "println(limit)" in rewrite.code and "void m(int limit)" in rewrite.code
    assert "seen" not in words(rewrite.code)


def test_java_names_in_a_serializable_lambda_keep_their_names():
    # javac derives the lambda's method name from what it captures: renaming changes the class
    code = """Comparator<T> by(Function<T, U> key, int unused) {
  return (Comparator<T> & Serializable) (c1, c2) -> key.apply(c1).compareTo(key.apply(c2));
}"""
    out = renamed(code, "java")
    assert "Function<T, U> key, int var0)" in out and "(c1, c2) -> key.apply(c1)" in out


def test_java_case_labels_and_pattern_variables_keep_their_names():
    code = """void m(Object o, Color c) {
  int RED = 1;
  switch (c) { case RED: break; }
  if (o instanceof String s) { System.out.println(s); }
}"""
    out = renamed(code, "java")
    assert "int RED" in out and "case RED" in out
    assert "String s)" in out and "println(s)" in out


# --- C --------------------------------------------------------------------------------------

C_SHADOW = """struct point { int x, y; };
int x = 5;
static int f(struct point *p, struct point s, int n) {
  int x = p->x + s.x;
  for (int i = 0; i < n; i++) {
    int x = i;
    n += x;
  }
  return x + n + undeclared_global;
}"""


def test_c_members_globals_and_shadowing():
    out = renamed(C_SHADOW, "c")
    assert "int x = 5;" in out  # the global
    assert "p->x" not in out or "var0->x + var1.x" in out
    assert "var0->x + var1.x" in out  # members keep their names
    assert "undeclared_global" in out
    inner = re.search(r"int (var\d+) = var\d+;\n    var2 \+= \1;", out)
    outer = re.search(r"int (var\d+) = var0->x", out)
    assert inner and outer and inner.group(1) != outer.group(1)
    assert f"return {outer.group(1)} + var2" in out


def test_c_names_used_by_macros_keep_their_names():
    code = """#define BUMP() (counter++)
int f(int counter, int step) {
  BUMP();
  return counter + step;
}"""
    out = renamed(code, "c")
    assert "int counter" in out and "counter + var0" in out


def test_c_macro_argument_that_may_be_a_member_keeps_its_name():
    code = """static int init(PCIDevice *pci_dev, int unused_flag) {
  Proxy *proxy = DO_UPCAST(Proxy, pci_dev, pci_dev);
  return proxy->x + unused_flag;
}"""
    out = renamed(code, "c")
    assert "DO_UPCAST(Proxy, pci_dev, pci_dev)" in out and "PCIDevice *pci_dev" in out


def test_c_names_an_assertion_or_a_stringizing_macro_prints_keep_their_names():
    code = """#define SHOW(v) printf(#v " = %d", v)
int f(int ret, int n, int k) {
  assert(ret != 0);
  SHOW(n);
  return k;
}"""
    out = renamed(code, "c")
    assert "assert(ret != 0)" in out and "SHOW(n)" in out and "return var0;" in out


def test_c_locals_visible_at_a_statement_macro_from_a_missing_header_keep_their_names():
    code = """static int traverse(Obj *self, visitproc visit, void *arg) {
  int unused_count = 0;
  Py_VISIT(self->dict);
  return 0;
}
static int other(int visit) { return visit + 1; }"""
    out = renamed(code, "c")
    assert "visitproc visit, void *arg" in out and "int unused_count" in out  # Py_VISIT uses them unnamed
    assert "Obj *var0" in out and "Py_VISIT(var0->dict)" in out
    assert "static int other(int var1) { return var1 + 1; }" in out


def test_c_sizeof_array_and_pointer_declarators():
    code = "int f(void) { char buf[16], *end = buf + sizeof(buf); return end - buf; }"
    out = renamed(code, "c")
    assert out == "int f(void) { char var0[16], *var1 = var0 + sizeof(var0); return var1 - var0; }"


def test_c_k_and_r_definitions_are_left_alone():
    code = "int f(a, b) int a; int b; { return a + b; }"
    rewrite = rename(code, "c")
    assert not rewrite.applied and rewrite.code == code


def test_c_misread_multiplication_is_not_trusted():
    code = "int f(int a, int b) { a * b; { int c = a; return c; } }"
    out = renamed(code, "c")
    assert "a * b;" in out and "int f(int a, int b)" in out


# --- Python ---------------------------------------------------------------------------------

PY_SCOPES = """def outer(items, factor=2):
    total = 0
    def inner(value=total):
        return value * factor
    squares = [item * item for item in items if item]
    for index, item in enumerate(items):
        total += inner(item) + index
    obj.total = total
    return dict(total=total, squares=squares)
"""


def test_python_closures_comprehensions_attributes_and_keywords():
    out = renamed(PY_SCOPES, "python", targets="locals+parameters")
    assert "def outer(var0, var1=2):" in out
    assert "obj.total =" in out and "dict(total=" in out  # attribute and keyword names
    assert "return value" not in out  # inner's parameter renamed
    assert re.search(r"return (var\d+) \* var1", out)  # the closure follows the renamed parameter
    assert re.search(r"\[(var\d+) \* \1 for \1 in var0 if \1\]", out)
    exec_results = []
    for source in (PY_SCOPES, out):
        namespace = {"obj": type("O", (), {})()}
        exec(source, namespace)
        exec_results.append(namespace["outer"]([1, 2, 3]))
    assert exec_results[0] == exec_results[1]


def test_python_comprehension_iterable_and_defaults_are_evaluated_outside():
    code = "def f(x, y):\n    def g(y=y):\n        return y\n    return [x * 2 for x in x], g()\n"
    out = renamed(code, "python", targets="parameters,locals")
    assert out == (
        "def f(var0, var1):\n    def g(var2=var1):\n        return var2\n"
        "    return [var3 * 2 for var3 in var0], g()\n"
    )
    results = []
    for source in (code, out):
        namespace: dict = {}
        exec(source, namespace)
        results.append(namespace["f"]([1, 2], 5))
    assert results[0] == results[1] == ([2, 4], 5)


def test_python_global_nonlocal_self_and_debug_fstrings_keep_their_names():
    code = """def f(self, a):
    global counter
    counter += a
    b = a + 1
    def g():
        nonlocal b
        b += 1
    print(f"{a=}")
    c = b * 2
    return c
"""
    out = renamed(code, "python", targets="locals+parameters")
    assert "global counter" in out and "nonlocal b" in out and "    b = a + 1" in out
    assert 'f"{a=}"' in out and "def f(self, a)" in out and "var0 = b * 2" in out


def test_python_dynamic_locals_make_it_not_applicable():
    rewrite = rename("def f(a):\n    b = a\n    return eval('a + b')\n", "python")
    assert not rewrite.applied and "eval" in rewrite.reason


def test_python_parameter_passed_by_keyword_in_the_module_keeps_its_name():
    code = "def area(width, height):\n    return width * height\n\nprint(area(2, height=3))\n"
    out = renamed(code, "python", targets="locals+parameters")
    assert "def area(var0, height)" in out and "area(2, height=3)" in out


def test_python_class_level_names_are_not_renamed():
    code = "class C:\n    size = 3\n    def grow(self, by):\n        return self.size + by\n"
    out = renamed(code, "python", targets="locals+parameters")
    assert "size = 3" in out and "self.size + var0" in out


# --- what callers can see: parameters and function names ------------------------------------


def test_python_keeps_every_parameter_a_caller_can_pass_by_keyword():
    code = "def f(a, /, b, *args, c, d=1, **options):\n    total = a + b + c + d + len(args) + len(options)\n    return total\n"
    out = renamed(code, "python")
    assert out.startswith("def f(var0, /, b, *var1, c, d=1, **var2):")  # before / and the splats are private
    assert "var3 = var0 + b + c + d + len(var1) + len(var2)" in out
    square = renamed("g = lambda x, /, y: [v * y for v in x]\n", "python")
    assert square == "g = lambda var0, /, y: [var1 * y for var1 in var0]\n"  # lambdas are called by keyword too


def test_python_nested_function_called_positionally_is_private():
    code = """def outer(items):
    def scaled(value, factor=2):
        return value * factor
    return [scaled(item) for item in items] + [scaled(*items[:1])]
"""
    out = renamed(code, "python")
    assert "def outer(items):" in out and "def scaled(var0, var1=2):" in out and "return var0 * var1" in out
    namespace: dict = {}
    exec(out, namespace)
    assert namespace["outer"]([1, 2]) == [2, 4, 2]


@pytest.mark.parametrize("escape", [
    "    return scaled\n",  # returned
    "    registry.append(scaled)\n",  # stored, passed as a value
    "    return scaled(value=1)\n",  # called by keyword
    "    return scaled(**{'value': 1})\n",  # called with a dict
    "    return locals()\n",  # handed out by locals()
])  # fmt: skip
def test_python_nested_function_that_escapes_keeps_its_parameters(escape):
    code = "def outer():\n    def scaled(value):\n        return value * 2\n" + escape
    assert "value" in words(rename(code, "python").code)


def test_python_decorated_nested_function_and_methods_keep_their_parameters():
    code = """def outer(items):
    @cache
    def first(value):
        return value
    class Box:
        def put(self, value):
            return value
    return first(items), Box().put(items)
"""
    rewrite = rename(code, "python")
    assert not rewrite.applied and "pass by keyword" in rewrite.reason


def test_python_not_applicable_names_the_interface_reason():
    rewrite = rename("def area(width, height):\n    return width * height\n", "python")
    assert not rewrite.applied
    assert "width (a parameter callers of its function can pass by keyword (targets=locals+parameters renames it))" in rewrite.reason


def test_targets_values_are_sets_in_any_spelling():
    code = "def f(a):\n    b = a\n    return b\n"
    plus = rename(code, "python", targets="locals+parameters").code
    assert plus == "def f(var0):\n    var1 = var0\n    return var1\n"
    assert rename(code, "python", targets="parameters,locals").code == plus
    assert rename(code, "python", targets=" Parameters , LOCALS ").code == plus
    assert renamed(code, "python", targets="parameters") == "def f(var0):\n    b = var0\n    return b\n"
    assert renamed(code, "python", targets="locals") == "def f(a):\n    var0 = a\n    return var0\n"
    for bad in ("", "fields", "locals+fields", "+"):
        with pytest.raises(UsageError, match="targets"):
            rename(code, "python", targets=bad)


def test_targets_without_locals_keep_locals_in_every_language():
    java = renamed("int f(int a) { int b = a; return b; }", "java", targets="parameters")
    assert java == "int f(int var0) { int b = var0; return b; }"
    c = rename("int f(int a) { int b = a; return b; }", "c", targets="function")
    assert c.code == "int var0(int a) { int b = a; return b; }"


FACT_PY = """def fact(n, acc=1):
    if n < 2:
        return acc
    return fact(n - 1, acc * n)

def main():
    print(fact(5), f"{fact(3)}")
    print(fact(4, acc=2))

main()
"""


def test_python_function_target_renames_the_name_and_every_call(tmp_path):
    out = renamed(FACT_PY, "python", targets="locals+parameters+function")
    assert "fact" not in words(out)
    name = re.search(r"def (\w+)\(\w+, acc=1\)", out).group(1)  # acc=2 is passed by keyword, so acc stays
    assert out.count(f"{name}(") == 5
    assert_same_behaviour("python", FACT_PY, [out], tmp_path)


@pytest.mark.parametrize("code,reason", [
    ("class C:\n    def f(self):\n        return self.f()\n", "a method"),
    ("@register\ndef f():\n    return 1\n", "decorated"),
    ("def f():\n    return 1\n\nhandlers = [f]\n", "callee"),
    ("__all__ = ['f']\n\ndef f():\n    return 1\n", "string"),
    ("def f():\n    return 1\n\nprint(globals()['f']())\n", "dynamically"),
    ("def len(x):\n    return 1\n\nprint(len([]))\n", "builtin"),
    ("def f():\n    return 1\n\nprint(f\"{f()=}\")\n", "debug field"),
])  # fmt: skip
def test_python_function_target_keeps_names_it_cannot_follow(code, reason):
    from metacompress.code.interfaces import function_names

    variables = function_names(ParsedCode.parse(code, "python"))
    assert [v.excluded for v in variables if reason in v.excluded], [v.excluded for v in variables]


def test_java_function_target_renames_own_calls_only_where_safe():
    code = "class A { int fact(int n) { return n < 2 ? 1 : n * fact(n - 1); } int g() { return this.fact(3); } }"
    out = renamed(code, "java", targets="function")
    assert out == "class A { int var0(int n) { return n < 2 ? 1 : n * var0(n - 1); } int var1() { return this.var0(3); } }"
    kept = {
        "class A implements Runnable { public void run() { run(); } }": "extends or implements",
        "class A { @Override public String toString() { return \"\"; } }": "inherited",
        "class A { int f(int a) { return a; } int f() { return f(1); } }": "overloaded",
        "class A { @Test void check() { check(); } }": "annotated",
        "class A { void f() { other.f(); } }": "on this object",
        "class A { public static void main(String[] args) { } }": "entry point",
    }
    for snippet, reason in kept.items():
        rewrite = rename(snippet, "java", targets="function")
        assert not rewrite.applied and reason in rewrite.reason, (snippet, rewrite.reason)


def test_java_annotated_parameter_is_bound_by_name_so_it_is_a_parameters_target():
    code = "String get(@RequestParam String name, @Nullable String other) { return name + other; }"
    assert renamed(code, "java") == "String get(@RequestParam String name, @Nullable String var0) { return name + var0; }"
    assert "name" not in words(renamed(code, "java", targets="locals+parameters"))
    creator = "class A { @JsonCreator A(String name) { use(name); } @Override public int f(int a) { return a; } }"
    assert renamed(creator, "java") == "class A { @JsonCreator A(String name) { use(name); } @Override public int f(int var0) { return var0; } }"


def test_java_record_canonical_constructor_keeps_the_component_names():
    code = "record P(int x, int y) {\n  P(int x, int y) { this.x = x; this.y = y; }\n  P(int both) { this(both, both); }\n}"
    out = renamed(code, "java", targets="locals+parameters")
    assert "P(int x, int y) { this.x = x; this.y = y; }" in out and "P(int var0) { this(var0, var0); }" in out


C_FACT = """#include <stdio.h>
#define CAT(a, b) a##b
int fact(int n);
int fact(int n) { return n < 2 ? 1 : n * fact(n - 1); }
static int pasted(int x) { int x1 = 5; return CAT(x, 1) + x; }
static int where(void) { printf("%s\\n", __func__); return 0; }
int main(void) {
  printf("%d %d\\n", fact(5), pasted(2));
  return where();
}
"""


def test_c_function_target_keeps_names_a_macro_prints():
    code = '#define SHOW(e) printf("%s\\n", #e)\nint twice(int a) { return 2 * a; }\nvoid f(void) { SHOW(twice(2)); assert(twice(1)); }\n'
    from metacompress.code.interfaces import function_names

    assert "twice" in words(renamed(code, "c", targets="function"))  # f is renamed, twice is not
    reasons = {v.name: v.excluded for v in function_names(ParsedCode.parse(code, "c"))}
    assert "prints or pastes" in reasons["twice"] and not reasons["f"]


def test_c_function_target_renames_prototypes_and_calls_but_not_main_or_func(tmp_path):
    out = renamed(C_FACT, "c", targets="locals+parameters+function")
    assert "fact" not in words(out) and "int main(void)" in out and "where" in words(out)
    assert "int x1 = 5; return CAT(x, 1) + x;" in out  # CAT(x, 1) names x1: nothing visible there is renamed
    assert_same_behaviour("c", C_FACT, [out], tmp_path)


# --- styles, determinism, freshness, errors -------------------------------------------------


def test_placeholders_follow_first_occurrence_and_skip_names_in_use():
    out = renamed("int f(int b, int a) { int var0 = a; return var0 + b; }", "c")
    assert out == "int f(int var1, int var2) { int var3 = var2; return var3 + var1; }"


def test_words_style_is_seeded_and_follows_the_language_convention():
    code = "int f(int a) { int b = a * 2; return b; }"
    first, again = rename(code, "c", seed=4, style="words"), rename(code, "c", seed=4, style="words")
    assert first.code == again.code
    assert any(rename(code, "c", seed=s, style="words").code != first.code for s in range(1, 6))
    new = set(re.findall(r"int (\w+)", first.code)) - {"f"}
    assert all("_" in name and name.islower() for name in new)
    java = renamed("int f(int a) { return a; }", "java", style="words")
    assert re.fullmatch(r"int f\(int ([a-z]+[A-Z][a-z]+)\) \{ return \1; \}", java)


def test_case_style_switches_camel_and_snake_case():
    assert switch_case("itemCount") == "item_count"
    assert switch_case("item_count") == "itemCount"
    assert switch_case("MAX_SIZE") == "maxSize"
    assert switch_case("HTTPServer") == "http_server"
    assert switch_case("_private_value") == "_privateValue"
    assert switch_case("i") == "i"
    out = renamed("int f(int itemCount, int i) { int max_len = itemCount + i; return max_len; }", "java", style="case")
    assert out == "int f(int item_count, int i) { int maxLen = item_count + i; return maxLen; }"
    rewrite = rename("int f(int i) { return i; }", "c", style="case")
    assert not rewrite.applied and "camelCase" in rewrite.reason


def test_sites_name_each_renamed_variable_once():
    rewrite = rename("int f(int a) { int b = a; return a + b; }", "c")
    assert [s.description for s in rewrite.sites] == ["renamed a -> var0", "renamed b -> var1"]


def test_variables_touching_an_error_region_keep_their_names():
    code = "int f(int a, int b) {\n  int c = a;\n  FOO(b) BAR b;\n  return c;\n}"
    parsed = ParsedCode.parse(code, "c")
    assert parsed.error_ranges
    rewrite = rename(code, "c")
    assert rewrite.applied and "b" in words(rewrite.code) and "a" not in words(rewrite.code)
    assert error_signature(ParsedCode.parse(rewrite.code, "c").tree) == error_signature(parsed.tree)


def test_not_applicable_reasons():
    assert rename("int f(void) { return g(); }", "c").reason == "no local variable or parameter to rename"
    rewrite = rename("class A { int x; }", "java")
    assert not rewrite.applied and rewrite.code == "class A { int x; }"
    with pytest.raises(UsageError):
        rename("int f(int a) { return a; }", "c", style="shouty")


def test_excluded_variables_say_why():
    parsed = ParsedCode.parse("def f(a):\n    global g\n    g = a\n    return locals()\n", "python")
    reasons = {v.name: v.excluded for v in local_variables(parsed)}
    assert "locals" in reasons["a"]


# --- executable checks ----------------------------------------------------------------------

C_PROGRAM = """#include <stdio.h>
#define SQUARE(v) ((v) * (v))
struct acc { int total; };
static int step(struct acc *acc, int value) {
  int running_total = acc->total;
  for (int i = 0; i < value; i++) { int running_total = i; acc->total += SQUARE(running_total); }
  return running_total + acc->total;
}
int main(void) {
  struct acc a = {1};
  int stepSum = 0;
  for (int n = 0; n < 5; n++) stepSum += step(&a, n);
  printf("%d %d\\n", stepSum, a.total);
  return 0;
}
"""

JAVA_PROGRAM = """import java.util.*;
public class Main {
  static int total = 7;
  static int run(List<Integer> values) {
    int total = 0;
    outer:
    for (int value : values) {
      for (int step = 0; step < value; step++) { if (step == 3) continue outer; total += step; }
    }
    Runnable r = () -> System.out.println(Main.total);
    r.run();
    try { Integer.parseInt("x"); } catch (NumberFormatException error) { total += error.getMessage().length(); }
    return total;
  }
  public static void main(String[] args) { System.out.println(run(Arrays.asList(1, 4, 6))); }
}
"""


def _run(command: list[str], cwd: Path) -> str:
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.skipif(shutil.which("gcc") is None, reason="gcc not installed")
@pytest.mark.parametrize("style", ["placeholder", "words", "case"])
def test_c_program_behaves_the_same(tmp_path, style):
    outputs = []
    for index, code in enumerate([C_PROGRAM, renamed(C_PROGRAM, "c", style=style)]):
        (tmp_path / f"p{index}.c").write_text(code)
        _run(["gcc", "-std=c11", "-Wall", "-Werror", "-o", f"p{index}", f"p{index}.c"], tmp_path)
        outputs.append(_run([f"./p{index}"], tmp_path))
    assert outputs[0] == outputs[1] and outputs[0].strip()


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("javac") is None, reason="javac not installed")
def test_java_program_behaves_the_same(tmp_path):
    outputs = []
    for index, code in enumerate([JAVA_PROGRAM, renamed(JAVA_PROGRAM, "java")]):
        folder = tmp_path / str(index)
        folder.mkdir()
        (folder / "Main.java").write_text(code)
        _run(["javac", "Main.java"], folder)
        outputs.append(_run(["java", "-cp", ".", "Main"], folder))
    assert outputs[0] == outputs[1] and outputs[0].strip()


@pytest.mark.slow
@pytest.mark.parametrize("language", ["java", "c", "python"])
@pytest.mark.parametrize("style", ["words", "case"])
def test_other_styles_preserve_the_corpus_behaviour(language, style):
    """test_semantics.py runs the default style; the other two rename differently."""
    if toolchain_missing(language):
        pytest.skip(toolchain_missing(language))
    programs: dict[str, tuple[str, str]] = {}
    for program in corpus_programs(language):
        code = program.read_text(encoding="utf-8")
        programs[f"{program.name}"] = (program.name, code)
        for seed in range(2):
            rewrite = rename(code, language, seed=seed, style=style)
            if rewrite.applied:
                programs[f"{program.name} seed {seed}"] = (program.name, rewrite.code)
    assert len(programs) > len(corpus_programs(language))
    outcomes = run_programs(language, programs)
    for key, outcome in outcomes.items():
        original = outcomes[key.split(" seed ")[0]]
        assert outcome == original, key


# --- real benchmark code --------------------------------------------------------------------


@pytest.mark.parametrize("language,folder,fields,minimum", [
    ("java", "bigclonebench-test", ("code1", "code2"), 0.95),
    ("c", "devign-test", ("func",), 0.85),
])  # fmt: skip
def test_real_benchmark_code(shared_dir, language, folder, fields, minimum):
    codes = distinct_snippets(shared_dir / "data" / folder, fields, 250)
    rewrites = [rename(code, language, seed=i) for i, code in enumerate(codes)]
    assert not [r.reason for r in rewrites if "internal" in r.reason]
    assert sum(r.applied for r in rewrites) >= minimum * len(codes)
