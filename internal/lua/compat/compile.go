package compat

import (
	"fmt"
	"io"

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/ast"
	"github.com/yuin/gopher-lua/parse"
)

// ConcatName is the name of the global that holds the concatenation function
// (see Concat) which compiled chunks call for `..`. Each chunk copies it into
// a local when it starts, so a script that changes its environment later
// keeps concatenating. The NUL byte keeps it out of reach of Lua identifiers.
const ConcatName = "\x00concat"

// Compile parses src (named name in error messages and tracebacks), applies
// Rewrite and compiles the result to a prototype that can be shared by any
// number of LStates (lua.LState.NewFunctionFromProto).
func Compile(src io.Reader, name string) (*lua.FunctionProto, error) {
	chunk, err := parse.Parse(src, name)
	if err != nil {
		return nil, fmt.Errorf("compile %s: %w", name, err)
	}
	chunk = Rewrite(chunk)
	proto, err := lua.Compile(chunk, name)
	if err != nil {
		return nil, fmt.Errorf("compile %s: %w", name, err)
	}
	return proto, nil
}

// Rewrite returns chunk with gopher-lua's miscompiled constructs replaced by
// equivalent ones it compiles correctly:
//
//   - a multiple assignment `v1, ..., vn = e1, ..., em` evaluates the tables and
//     keys of its targets, then the expressions, into fresh locals, and assigns
//     from the last target to the first (as C Lua 5.1 does);
//   - a concatenation with an operand that is not a string literal calls the
//     function stored in the global ConcatName, through a local declared at
//     the start of the chunk.
func Rewrite(chunk []ast.Stmt) []ast.Stmt {
	rw := &rewriter{}
	body := rw.stmts(chunk)
	if !rw.usedConcat {
		return body
	}
	decl := &ast.LocalAssignStmt{
		Names: []string{ConcatName},
		Exprs: []ast.Expr{&ast.IdentExpr{Value: ConcatName}},
	}
	return append([]ast.Stmt{decl}, body...)
}

// rewriter walks a chunk; tmp numbers the temporaries it declares.
type rewriter struct {
	tmp        int
	usedConcat bool
}

func (rw *rewriter) stmts(list []ast.Stmt) []ast.Stmt {
	for i, s := range list {
		list[i] = rw.stmt(s)
	}
	return list
}

func (rw *rewriter) exprs(list []ast.Expr) {
	for i, e := range list {
		list[i] = rw.expr(e)
	}
}

func (rw *rewriter) stmt(s ast.Stmt) ast.Stmt {
	switch st := s.(type) {
	case *ast.AssignStmt:
		rw.exprs(st.Lhs)
		rw.exprs(st.Rhs)
		if len(st.Lhs) > 1 {
			return rw.multiAssign(st)
		}
	case *ast.LocalAssignStmt:
		rw.exprs(st.Exprs)
	case *ast.FuncCallStmt:
		st.Expr = rw.expr(st.Expr)
	case *ast.DoBlockStmt:
		rw.stmts(st.Stmts)
	case *ast.WhileStmt:
		st.Condition = rw.expr(st.Condition)
		rw.stmts(st.Stmts)
	case *ast.RepeatStmt:
		rw.stmts(st.Stmts)
		st.Condition = rw.expr(st.Condition)
	case *ast.IfStmt:
		st.Condition = rw.expr(st.Condition)
		rw.stmts(st.Then)
		rw.stmts(st.Else)
	case *ast.NumberForStmt:
		st.Init = rw.expr(st.Init)
		st.Limit = rw.expr(st.Limit)
		if st.Step != nil {
			st.Step = rw.expr(st.Step)
		}
		rw.stmts(st.Stmts)
	case *ast.GenericForStmt:
		rw.exprs(st.Exprs)
		rw.stmts(st.Stmts)
	case *ast.FuncDefStmt:
		if st.Name != nil {
			if st.Name.Func != nil {
				st.Name.Func = rw.expr(st.Name.Func)
			}
			if st.Name.Receiver != nil {
				st.Name.Receiver = rw.expr(st.Name.Receiver)
			}
		}
		rw.stmts(st.Func.Stmts)
	case *ast.ReturnStmt:
		rw.exprs(st.Exprs)
	}
	return s
}

func (rw *rewriter) expr(e ast.Expr) ast.Expr {
	switch ex := e.(type) {
	case *ast.AttrGetExpr:
		ex.Object = rw.expr(ex.Object)
		ex.Key = rw.expr(ex.Key)
	case *ast.TableExpr:
		for _, f := range ex.Fields {
			if f.Key != nil {
				f.Key = rw.expr(f.Key)
			}
			f.Value = rw.expr(f.Value)
			if f.Key != nil {
				// gopher-lua spreads the results of a call (or of ...)
				// that is the value of a constructor's last field into
				// the array part even when the field has a key
				// ({"S", x = f()} gets f()'s result at [2]); Lua 5.1
				// takes its first value, as in parentheses.
				switch v := f.Value.(type) {
				case *ast.FuncCallExpr:
					v.AdjustRet = true
				case *ast.Comma3Expr:
					v.AdjustRet = true
				}
			}
		}
	case *ast.FuncCallExpr:
		if ex.Func != nil {
			ex.Func = rw.expr(ex.Func)
		}
		if ex.Receiver != nil {
			ex.Receiver = rw.expr(ex.Receiver)
		}
		rw.exprs(ex.Args)
	case *ast.LogicalOpExpr:
		ex.Lhs = rw.expr(ex.Lhs)
		ex.Rhs = rw.expr(ex.Rhs)
	case *ast.RelationalOpExpr:
		ex.Lhs = rw.expr(ex.Lhs)
		ex.Rhs = rw.expr(ex.Rhs)
	case *ast.ArithmeticOpExpr:
		ex.Lhs = rw.expr(ex.Lhs)
		ex.Rhs = rw.expr(ex.Rhs)
	case *ast.UnaryMinusOpExpr:
		ex.Expr = rw.expr(ex.Expr)
	case *ast.UnaryNotOpExpr:
		ex.Expr = rw.expr(ex.Expr)
	case *ast.UnaryLenOpExpr:
		ex.Expr = rw.expr(ex.Expr)
	case *ast.FunctionExpr:
		rw.stmts(ex.Stmts)
	case *ast.StringConcatOpExpr:
		return rw.concat(ex)
	}
	return e
}

// concat turns a chain of `..` into one call of the concatenation function,
// unless every operand is a string literal (which gopher-lua handles right).
func (rw *rewriter) concat(ex *ast.StringConcatOpExpr) ast.Expr {
	var ops []ast.Expr
	var flatten func(e ast.Expr)
	flatten = func(e ast.Expr) {
		if c, ok := e.(*ast.StringConcatOpExpr); ok {
			flatten(c.Lhs)
			flatten(c.Rhs)
			return
		}
		ops = append(ops, rw.expr(e))
	}
	flatten(ex)
	literal := true
	for _, op := range ops {
		if _, ok := op.(*ast.StringExpr); !ok {
			literal = false
		}
		// An operand yields one value, even a call or `...`.
		switch v := op.(type) {
		case *ast.FuncCallExpr:
			v.AdjustRet = true
		case *ast.Comma3Expr:
			v.AdjustRet = true
		}
	}
	if literal {
		return ex
	}
	rw.usedConcat = true
	call := &ast.FuncCallExpr{Func: &ast.IdentExpr{Value: ConcatName}, Args: ops}
	call.SetLine(ex.Line())
	call.SetLastLine(ex.LastLine())
	return call
}

// multiAssign rewrites `v1, ..., vn = e1, ..., em` as
//
//	do
//	  local o1, k1, ... = <table and key of each indexed target>
//	  local t1, ..., tn = e1, ..., em
//	  vn = tn ... v1 = t1   (or o[k] = t for indexed targets)
//	end
func (rw *rewriter) multiAssign(st *ast.AssignStmt) ast.Stmt {
	var pre ast.LocalAssignStmt
	targets := make([]ast.Expr, len(st.Lhs))
	for i, lhs := range st.Lhs {
		get, ok := lhs.(*ast.AttrGetExpr)
		if !ok {
			targets[i] = lhs
			continue
		}
		obj, key := rw.name(), rw.name()
		pre.Names = append(pre.Names, obj, key)
		pre.Exprs = append(pre.Exprs, get.Object, get.Key)
		targets[i] = &ast.AttrGetExpr{Object: ident(obj, lhs), Key: ident(key, lhs)}
	}
	vals := ast.LocalAssignStmt{Exprs: st.Rhs}
	for range st.Lhs {
		vals.Names = append(vals.Names, rw.name())
	}
	var body []ast.Stmt
	if len(pre.Names) > 0 {
		body = append(body, &pre)
	}
	body = append(body, &vals)
	for i := len(targets) - 1; i >= 0; i-- {
		a := &ast.AssignStmt{Lhs: []ast.Expr{targets[i]}, Rhs: []ast.Expr{ident(vals.Names[i], st.Lhs[i])}}
		a.SetLine(st.Line())
		body = append(body, a)
	}
	for _, s := range body {
		s.SetLine(st.Line())
		s.SetLastLine(st.LastLine())
	}
	do := &ast.DoBlockStmt{Stmts: body}
	do.SetLine(st.Line())
	do.SetLastLine(st.LastLine())
	return do
}

// name returns a fresh temporary name no Lua identifier can spell.
func (rw *rewriter) name() string {
	rw.tmp++
	return fmt.Sprintf("\x00t%d", rw.tmp)
}

// ident is a reference to the local name, on the line of at.
func ident(name string, at ast.Expr) *ast.IdentExpr {
	id := &ast.IdentExpr{Value: name}
	id.SetLine(at.Line())
	id.SetLastLine(at.LastLine())
	return id
}
