<%@ LANGUAGE = VBScript.Encode %>
<%#@~^CAAAAA==r6 P62ekgMAAA==^#~@%>
